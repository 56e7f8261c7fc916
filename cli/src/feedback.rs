//! `rate`, `reopen`, `follow`, `unfollow`, `following`: the resident's word
//! after the district's answer. Each is queued on the device and sent by
//! the next `sync`, like a report.

use std::path::PathBuf;

use phananh_core::app::{FollowedView, ReportView};
use phananh_core::protocol::Score;
use phananh_core::store::PhotoSource;
use phananh_core::{App, Result};
use serde_json::json;

use crate::output::Out;

/// `phananh rate ID --score S [--comment T] [--for-neighbour]`.
pub fn rate(app: &App, id: &str, score: Score, comment: Option<&str>, for_neighbour: bool, out: &Out) -> Result<()> {
    let view = app.rate(id, score, comment, for_neighbour)?;
    if out.json {
        out.json(
            &json!({ "id": view.id, "tracking_code": view.tracking_code, "rating": score.code(), "queued": true }),
        );
    } else {
        println!("{}", view.rating_line.unwrap_or_default());
        println!(
            "{}",
            out.t("Sẽ được gửi ở lần đồng bộ tới (phananh sync).", "It goes with the next sync (phananh sync).")
        );
    }
    Ok(())
}

/// `phananh reopen ID --reason T [--photo FILE]…`.
pub fn reopen(app: &App, id: &str, reason: &str, photos: &[PathBuf], out: &Out) -> Result<()> {
    let sources: Vec<PhotoSource<'_>> = photos.iter().map(|p| PhotoSource::Path(p)).collect();
    let view = app.reopen(id, reason, &sources)?;
    if out.json {
        out.json(&json!({
            "id": view.id,
            "tracking_code": view.tracking_code,
            "photos": view.photos.len(),
            "queued": true,
        }));
    } else {
        print_reopen(&view, out);
    }
    Ok(())
}

fn print_reopen(view: &ReportView, out: &Out) {
    println!("{}", view.reopen_line.clone().unwrap_or_default());
    println!(
        "{}",
        out.t("Sẽ được gửi ở lần đồng bộ tới (phananh sync).", "It goes with the next sync (phananh sync).")
    );
}

/// `phananh follow CODE [--me-too] [--photo FILE]…`.
pub fn follow(app: &App, code: &str, me_too: bool, photos: &[PathBuf], out: &Out) -> Result<()> {
    let sources: Vec<PhotoSource<'_>> = photos.iter().map(|p| PhotoSource::Path(p)).collect();
    let view = app.follow(code, me_too, &sources)?;
    if out.json {
        out.json(&followed_json(&view));
    } else {
        println!("{} {} — {}", out.t("Quan tâm", "Following"), view.tracking_code, view.state_label);
        println!(
            "{}",
            out.t("Sẽ được gửi ở lần đồng bộ tới (phananh sync).", "It goes with the next sync (phananh sync).")
        );
    }
    Ok(())
}

/// `phananh unfollow CODE`.
pub fn unfollow(app: &App, code: &str, out: &Out) -> Result<()> {
    app.unfollow(code)?;
    if out.json {
        out.json(&json!({ "unfollowed": code.trim().to_ascii_uppercase() }));
    } else {
        println!("{}", out.t("Đã bỏ quan tâm.", "No longer following."));
    }
    Ok(())
}

/// `phananh following [--json]`: followed reports with status and replies.
pub fn following(app: &App, out: &Out) -> Result<()> {
    let list = app.following()?;
    if out.json {
        out.json(&list.iter().map(followed_json).collect::<Vec<_>>());
        return Ok(());
    }
    if list.is_empty() {
        println!("{}", out.t("(chưa quan tâm phản ánh nào)", "(not following any report)"));
    }
    for f in &list {
        let status = f.status_label.clone().unwrap_or_else(|| f.state_label.clone());
        let me_too = if f.me_too { out.t(" · tôi cũng thấy", " · I see it too") } else { "" };
        println!("{}  {:<22} {}{me_too}", f.tracking_code, status, f.category_name.clone().unwrap_or_default());
        if let Some(line) = &f.handling_line {
            println!("    {line}");
        }
        for h in f.history.iter().filter(|h| h.reply.is_some()) {
            println!("    {} {}: {}", h.at_label, h.status_label, h.reply.clone().unwrap_or_default());
        }
    }
    Ok(())
}

fn followed_json(f: &FollowedView) -> serde_json::Value {
    json!({
        "tracking_code": f.tracking_code,
        "me_too": f.me_too,
        "state": if f.refused { "refused" } else if f.status.is_some() { "following" } else { "queued" },
        "state_label": f.state_label,
        "status": f.status.map(|s| s.code()),
        "status_label": f.status_label,
        "category": f.category_name,
        "handling": f.handling_line,
        "followers": f.followers_label,
        "public_url": f.public_url,
        "last_reply": f.last_reply,
        "replies": f.history.iter().filter_map(|h| h.reply.clone()).collect::<Vec<_>>(),
        "history": f.history.iter().map(|h| json!({
            "status": h.status.code(),
            "at": phananh_core::protocol::vn_time::rfc3339(h.at_ms),
            "reply": h.reply,
        })).collect::<Vec<_>>(),
    })
}
