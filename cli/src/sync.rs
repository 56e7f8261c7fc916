//! `sync`, `reports`, `categories`, `retry`, `nearby`: the commands that talk
//! to the district's server.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use phananh_core::model::{PhotoId, StateKind};
use phananh_core::store::ListQuery;
use phananh_core::sync::{FileSecretStore, SyncConfig, SyncEvent, SyncListener, SyncSummary, Syncer};
use phananh_core::{Error, Lang, Result, Store};
use serde_json::json;

use crate::output::{Out, excerpt};

/// The file in the home directory that remembers the last server used.
const SERVER_FILE: &str = "server";
/// The token file (mode 0600).
const SECRETS_FILE: &str = "secrets.json";

/// The server to use: `--server` (remembered for next time), else the last one.
pub fn server_url(home: &Path, given: Option<String>, lang: Lang) -> Result<String> {
    let file = home.join(SERVER_FILE);
    if let Some(url) = given {
        let _ = std::fs::create_dir_all(home);
        std::fs::write(&file, format!("{}\n", url.trim())).map_err(|e| Error::Io {
            context: "remembering the server",
            path: file,
            source: e,
        })?;
        return Ok(url.trim().to_owned());
    }
    match std::fs::read_to_string(&file) {
        Ok(url) if !url.trim().is_empty() => Ok(url.trim().to_owned()),
        _ => Err(Error::Config(
            lang.pick(
                "chưa có máy chủ: thêm --server URL (ví dụ --server http://127.0.0.1:8080)",
                "no server yet: add --server URL (e.g. --server http://127.0.0.1:8080)",
            )
            .to_owned(),
        )),
    }
}

pub fn syncer(store: Store, home: &Path, url: String, lang: Lang) -> Result<Syncer> {
    let mut config = SyncConfig::new(url);
    config.lang = lang;
    config.user_agent_suffix = Some("cli".into());
    let secrets = Arc::new(FileSecretStore::new(home.join(SECRETS_FILE)));
    Syncer::new(Arc::new(store), secrets, config)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Config(format!("cannot start the async runtime: {e}")))
}

/// `phananh sync [--watch]`.
pub fn sync(syncer: &Syncer, watch: bool, quiet: bool, out: &Out) -> Result<()> {
    let rt = runtime()?;
    let progress = Arc::new(Progress::new(out.lang, quiet || out.json));
    syncer.set_listener(progress.clone());
    if watch {
        return rt.block_on(async {
            let handle = syncer.run(progress.clone());
            if !out.json {
                println!("{}", out.t("Đang đồng bộ; nhấn Ctrl-C để dừng.", "Syncing; press Ctrl-C to stop."));
            }
            let _ = tokio::signal::ctrl_c().await;
            handle.stop().await;
            Ok(())
        });
    }
    let summary = rt.block_on(syncer.sync_once())?;
    progress.finish();
    print_summary(&summary, out);
    Ok(())
}

fn print_summary(s: &SyncSummary, out: &Out) {
    if out.json {
        out.json(&json!({
            "sent": s.sent,
            "photos_sent": s.photos_sent,
            "needs_attention": s.needs_attention,
            "retrying": s.retrying,
            "waiting": s.waiting,
            "changes": s.changes,
            "offline": s.offline,
            "next_attempt_at": s.next_attempt_at.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
        }));
        return;
    }
    if s.offline {
        println!(
            "{}",
            out.t(
                "Không kết nối được máy chủ; phản ánh được giữ lại để gửi sau.",
                "Cannot reach the server; reports are kept to send later."
            )
        );
    }
    let line = match out.lang {
        Lang::Vi => format!(
            "Đã gửi {} phản ánh ({} ảnh); {} cần xem lại; {} sẽ thử lại; còn {} chờ gửi; {} phản ánh có cập nhật.",
            s.sent, s.photos_sent, s.needs_attention, s.retrying, s.waiting, s.changes
        ),
        Lang::En => format!(
            "Sent {} report(s) ({} photo(s)); {} need attention; {} will be retried; {} waiting; {} report(s) updated.",
            s.sent, s.photos_sent, s.needs_attention, s.retrying, s.waiting, s.changes
        ),
    };
    println!("{line}");
}

/// Progress bars per photo and a line per report event.
struct Progress {
    lang: Lang,
    bars: MultiProgress,
    photos: Mutex<HashMap<PhotoId, ProgressBar>>,
    quiet: bool,
}

impl Progress {
    fn new(lang: Lang, quiet: bool) -> Progress {
        let target = if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
        Progress { lang, bars: MultiProgress::with_draw_target(target), photos: Mutex::new(HashMap::new()), quiet }
    }

    fn say(&self, line: String) {
        if !self.quiet {
            let _ = self.bars.println(line);
        }
    }

    fn finish(&self) {
        for (_, bar) in self.photos.lock().unwrap_or_else(|p| p.into_inner()).drain() {
            bar.finish_and_clear();
        }
    }
}

impl SyncListener for Progress {
    fn on_event(&self, event: SyncEvent) {
        let l = self.lang;
        match event {
            SyncEvent::ReportSending { id } => {
                self.say(format!("{} {}", l.pick("Đang gửi", "Sending"), short(&id.to_string())))
            }
            SyncEvent::PhotoProgress { photo, sent, total, .. } => {
                let mut photos = self.photos.lock().unwrap_or_else(|p| p.into_inner());
                let bar = photos.entry(photo).or_insert_with(|| {
                    let bar = self.bars.add(ProgressBar::new(total));
                    if let Ok(style) =
                        ProgressStyle::with_template("  {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
                    {
                        bar.set_style(style.progress_chars("=> "));
                    }
                    bar.set_message(format!("{} {}", l.pick("ảnh", "photo"), short(&photo.to_string())));
                    bar
                });
                bar.set_position(sent);
                if sent >= total {
                    bar.finish();
                }
            }
            SyncEvent::ReportSent { id, tracking_code } => {
                self.say(format!("{} {} → {tracking_code}", l.pick("Đã gửi", "Sent"), short(&id.to_string())))
            }
            SyncEvent::ReportRetrying { id, attempts, at, why } => self.say(format!(
                "{} {} ({why}); {} {} ({} {attempts})",
                l.pick("Chưa gửi được", "Not sent yet"),
                short(&id.to_string()),
                l.pick("thử lại lúc", "retrying at"),
                crate::output::local_time(at),
                l.pick("lần", "attempt"),
            )),
            SyncEvent::ReportNeedsAttention { id, reason } => {
                self.say(format!("{} {}: {reason}", l.pick("Cần xem lại", "Needs attention"), short(&id.to_string())))
            }
            SyncEvent::StatusChanged { id, status } => {
                self.say(format!("{} {}: {}", l.pick("Cập nhật", "Update"), short(&id.to_string()), status.label(l)))
            }
            SyncEvent::ReportQueued { .. } | SyncEvent::PassFinished(_) => {}
        }
    }
}

fn short(id: &str) -> &str {
    id.get(..13).unwrap_or(id)
}

/// `phananh reports`: what left the device and what the district did.
pub fn reports(store: &Store, limit: u32, out: &Out) -> Result<()> {
    let query = ListQuery {
        states: vec![StateKind::Queued, StateKind::Sending, StateKind::Sent, StateKind::NeedsAttention],
        limit: limit.clamp(1, 500),
        ..Default::default()
    };
    let page = store.list(&query)?;
    if out.json {
        let items: Vec<_> = page
            .items
            .iter()
            .map(|s| {
                json!({
                    "id": s.id.to_string(),
                    "state": s.state.code(),
                    "tracking_code": s.tracking_code,
                    "status": s.status.map(|st| st.code()),
                    "last_reply": s.last_reply,
                    "attention_reason": s.attention_reason,
                    "category": s.category,
                    "description": s.description,
                })
            })
            .collect();
        out.json(&items);
        return Ok(());
    }
    if page.items.is_empty() {
        println!("{}", out.t("(chưa gửi phản ánh nào)", "(no reports sent yet)"));
    }
    for s in &page.items {
        let status = match (s.state, s.status) {
            (StateKind::Sent, Some(st)) => st.label(out.lang).to_owned(),
            (state, _) => state.label(out.lang).to_owned(),
        };
        println!("{:<10} {:<16} {}", s.tracking_code.as_deref().unwrap_or("-"), status, excerpt(&s.description, 40));
        if let Some(reply) = &s.last_reply {
            println!("           {} {}", out.t("Trả lời:", "Reply:"), excerpt(reply, 100));
        }
        if let Some(reason) = &s.attention_reason {
            println!("           {} {}", out.t("Lý do:", "Reason:"), reason);
        }
    }
    Ok(())
}

/// `phananh categories`: fresh from the server when it can be reached.
pub fn categories(syncer: &Syncer, out: &Out) -> Result<()> {
    let rt = runtime()?;
    if let Err(e) = rt.block_on(syncer.refresh_categories()) {
        if !matches!(e, Error::Network(_)) {
            return Err(e);
        }
        eprintln!("{}", out.t("(ngoại tuyến: danh sách đã lưu)", "(offline: the saved list)"));
    }
    let Some(services) = syncer.store().cached_services()? else {
        return Err(Error::Network(
            out.t("chưa từng tải danh sách loại phản ánh", "the category list was never downloaded").into(),
        ));
    };
    if out.json {
        out.json(&services.categories);
        return Ok(());
    }
    for c in &services.categories {
        let (name, group) = match out.lang {
            Lang::Vi => (&c.name_vi, &c.group_vi),
            Lang::En => (&c.name_en, &c.group_en),
        };
        println!("{:<16} {:<28} {}", c.code, name, group);
    }
    Ok(())
}

/// `phananh retry ID`.
pub fn retry(syncer: &Syncer, id: &str, out: &Out) -> Result<()> {
    let id = syncer.store().find_id(id)?;
    syncer.store().retry(id)?;
    if out.json {
        out.json(&json!({ "id": id.to_string(), "state": "queued" }));
    } else {
        println!("{}", out.t("Đã đưa lại vào hàng chờ gửi.", "Queued to send again."));
    }
    Ok(())
}

/// `phananh nearby --lat --lon [--category]`.
pub fn nearby(syncer: &Syncer, lat: f64, lon: f64, category: Option<&str>, out: &Out) -> Result<()> {
    let rt = runtime()?;
    let hints = rt.block_on(syncer.nearby(lat, lon, category))?;
    if out.json {
        out.json(&hints);
        return Ok(());
    }
    if hints.from_cache {
        eprintln!("{}", out.t("(ngoại tuyến: kết quả đã lưu)", "(offline: saved results)"));
    }
    if hints.reports.is_empty() {
        println!("{}", out.t("Không có phản ánh nào đang mở gần đây.", "No open reports nearby."));
    }
    for r in &hints.reports {
        println!(
            "{:<10} {:<14} {:<12} {:>5.0} m  {} {}",
            r.tracking_code,
            r.category,
            r.status,
            r.distance_m,
            r.age_days,
            out.t("ngày", "days")
        );
    }
    Ok(())
}
