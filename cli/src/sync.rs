//! `sync`, `reports`, `categories`, `retry`, `nearby`: the commands that talk
//! to the district's server.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use phananh_core::app::{AppConfig, AppListener, ListFilter, SyncEvent};
use phananh_core::model::StateKind;
use phananh_core::protocol::vn_time;
use phananh_core::sync::{FileSecretStore, SyncSummary};
use phananh_core::{App, Error, Lang, Result};
use serde_json::json;

use crate::output::{Out, excerpt};

/// Where earlier versions remembered the last server (read once, as the default).
const LEGACY_SERVER_FILE: &str = "server";
/// The token file (mode 0600).
const SECRETS_FILE: &str = "secrets.json";

/// The app on `home`, in the language of this run; `--server` is kept in
/// the app's settings (checked there) and used from then on.
pub fn open(home: &Path, server: Option<String>, lang: Lang) -> Result<App> {
    let legacy = std::fs::read_to_string(home.join(LEGACY_SERVER_FILE)).ok().filter(|u| !u.trim().is_empty());
    let config = AppConfig {
        data_dir: home.to_string_lossy().into_owned(),
        default_server_url: legacy,
        device_locale: Some(lang.code().to_owned()),
        user_agent_suffix: Some("cli".into()),
    };
    let app = App::open(config, Arc::new(FileSecretStore::new(home.join(SECRETS_FILE))))?;
    let settings = app.settings();
    if settings.language != lang || server.as_deref().is_some_and(|s| s.trim() != settings.server_url) {
        app.save_settings(phananh_core::app::Settings {
            language: lang,
            server_url: server.unwrap_or(settings.server_url.clone()),
            ..settings
        })?;
    }
    Ok(app)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Config(format!("cannot start the async runtime: {e}")))
}

/// `phananh sync [--watch]`.
pub fn sync(app: &App, watch: bool, quiet: bool, out: &Out) -> Result<()> {
    let rt = runtime()?;
    let progress = Arc::new(Progress::new(out.lang, quiet || out.json));
    if watch {
        app.start_sync(progress.clone(), rt.handle().clone());
        if !out.json {
            println!("{}", out.t("Đang đồng bộ; nhấn Ctrl-C để dừng.", "Syncing; press Ctrl-C to stop."));
        }
        let _ = rt.block_on(tokio::signal::ctrl_c());
        app.stop_sync();
        return Ok(());
    }
    let summary = rt.block_on(app.sync_once_with(progress.clone()))?;
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
            "next_attempt_at": s.next_attempt_at_ms.map(vn_time::rfc3339),
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
    photos: Mutex<HashMap<String, ProgressBar>>,
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

impl AppListener for Progress {
    fn on_event(&self, event: SyncEvent) {
        let l = self.lang;
        match event {
            SyncEvent::Sending { report_id } => {
                self.say(format!("{} {}", l.pick("Đang gửi", "Sending"), short(&report_id)))
            }
            SyncEvent::PhotoProgress { photo_id, sent, total, .. } => {
                let mut photos = self.photos.lock().unwrap_or_else(|p| p.into_inner());
                let bar = photos.entry(photo_id.clone()).or_insert_with(|| {
                    let bar = self.bars.add(ProgressBar::new(total));
                    if let Ok(style) =
                        ProgressStyle::with_template("  {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
                    {
                        bar.set_style(style.progress_chars("=> "));
                    }
                    bar.set_message(format!("{} {}", l.pick("ảnh", "photo"), short(&photo_id)));
                    bar
                });
                bar.set_position(sent);
                if sent >= total {
                    bar.finish();
                }
            }
            SyncEvent::Sent { report_id, tracking_code } => {
                self.say(format!("{} {} → {tracking_code}", l.pick("Đã gửi", "Sent"), short(&report_id)))
            }
            SyncEvent::Retrying { report_id, attempts, at_ms } => self.say(format!(
                "{} {}; {} {} ({} {attempts})",
                l.pick("Chưa gửi được", "Not sent yet"),
                short(&report_id),
                l.pick("thử lại lúc", "retrying at"),
                vn_time::format_ms(at_ms),
                l.pick("lần", "attempt"),
            )),
            SyncEvent::NeedsAttention { report_id, reason } => {
                self.say(format!("{} {}: {reason}", l.pick("Cần xem lại", "Needs attention"), short(&report_id)))
            }
            SyncEvent::StatusChanged { report_id, status_label, .. } => {
                self.say(format!("{} {}: {status_label}", l.pick("Cập nhật", "Update"), short(&report_id)))
            }
            SyncEvent::Queued { .. } | SyncEvent::PassFinished { .. } => {}
        }
    }
}

fn short(id: &str) -> &str {
    id.get(..13).unwrap_or(id)
}

/// `phananh reports`: what left the device and what the district did.
pub fn reports(app: &App, limit: u32, out: &Out) -> Result<()> {
    let filter = ListFilter {
        states: vec![StateKind::Queued, StateKind::Sending, StateKind::Sent, StateKind::NeedsAttention],
        limit: limit.clamp(1, 500),
        ..Default::default()
    };
    let page = app.list_reports(&filter)?;
    if out.json {
        let items: Vec<_> = page
            .items
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "state": r.state.code(),
                    "tracking_code": r.tracking_code,
                    "status": r.status.map(|st| st.code()),
                    "last_reply": r.last_reply,
                    "attention_reason": r.attention_reason,
                    "category": r.category,
                    "description": r.description,
                    "unit": r.unit_name,
                })
            })
            .collect();
        out.json(&items);
        return Ok(());
    }
    if page.items.is_empty() {
        println!("{}", out.t("(chưa gửi phản ánh nào)", "(no reports sent yet)"));
    }
    for r in &page.items {
        let status = match (r.state, &r.status_label) {
            (StateKind::Sent, Some(label)) => label,
            _ => &r.state_label,
        };
        println!("{:<10} {:<16} {}", r.tracking_code.as_deref().unwrap_or("-"), status, excerpt(&r.description, 40));
        if let Some(unit) = &r.unit_name {
            println!("           {} {}", out.t("Đơn vị xử lý:", "Unit:"), unit);
        }
        if let Some(reply) = &r.last_reply {
            println!("           {} {}", out.t("Trả lời:", "Reply:"), excerpt(reply, 100));
        }
        if let Some(reason) = &r.attention_reason {
            println!("           {} {}", out.t("Lý do:", "Reason:"), reason);
        }
    }
    Ok(())
}

/// `phananh categories`: fresh from the server when it can be reached.
pub fn categories(app: &App, out: &Out) -> Result<()> {
    let rt = runtime()?;
    if let Err(e) = rt.block_on(app.refresh_categories()) {
        if !matches!(e, Error::Network(_)) {
            return Err(e);
        }
        eprintln!("{}", out.t("(ngoại tuyến: danh sách đã lưu)", "(offline: the saved list)"));
    }
    let never = || {
        Error::Network(out.t("chưa từng tải danh sách loại phản ánh", "the category list was never downloaded").into())
    };
    if out.json {
        // Both languages, as the server sent them.
        let services = app.store().cached_services()?.ok_or_else(never)?;
        out.json(&services.categories);
        return Ok(());
    }
    let categories = app.categories()?;
    if categories.is_empty() {
        return Err(never());
    }
    for c in &categories {
        println!("{:<16} {:<28} {}", c.code, c.name, c.group);
    }
    Ok(())
}

/// `phananh retry ID`: queued again; a running `sync --watch` sends it.
pub fn retry(app: &App, id: &str, out: &Out) -> Result<()> {
    let report = app.retry(id)?;
    if out.json {
        out.json(&json!({ "id": report.id, "state": report.state.code() }));
    } else {
        println!("{}", out.t("Đã đưa lại vào hàng chờ gửi.", "Queued to send again."));
    }
    Ok(())
}

/// `phananh nearby --lat --lon [--category]`.
pub fn nearby(app: &App, lat: f64, lon: f64, category: Option<&str>, out: &Out) -> Result<()> {
    let rt = runtime()?;
    let hints = rt.block_on(app.nearby(lat, lon, category))?;
    if out.json {
        let reports: Vec<_> = hints
            .reports
            .iter()
            .map(|r| {
                json!({
                    "tracking_code": r.tracking_code,
                    "category": r.category,
                    "status": r.status,
                    "distance_m": r.distance_m,
                    "age_days": r.age_days,
                    "thumbnail_url": r.thumbnail_url,
                })
            })
            .collect();
        let fetched_at = vn_time::rfc3339(hints.fetched_at_ms);
        out.json(&json!({ "reports": reports, "fetched_at": fetched_at, "from_cache": hints.from_cache }));
        return Ok(());
    }
    if hints.from_cache {
        eprintln!("{} {})", out.t("(ngoại tuyến: kết quả đã lưu", "(offline: saved results"), hints.fetched_relative);
    }
    if hints.reports.is_empty() {
        println!("{}", out.t("Không có phản ánh nào đang mở gần đây.", "No open reports nearby."));
    }
    for r in &hints.reports {
        println!(
            "{:<10} {:<24} {:<14} {:>8}  {}",
            r.tracking_code, r.category_name, r.status_label, r.distance_label, r.age_label
        );
    }
    Ok(())
}
