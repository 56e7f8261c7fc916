//! Printing results and errors: text for people in their language, or JSON
//! for scripts.

use phananh_core::Lang;
use phananh_core::model::{Report, ReportState, ReportSummary};
use phananh_core::protocol::ValidationError;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use time::macros::format_description;

/// Where output goes and how it reads.
pub struct Out {
    pub lang: Lang,
    pub json: bool,
}

impl Out {
    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(vi, en)
    }

    pub fn json<T: Serialize>(&self, value: &T) {
        match serde_json::to_string_pretty(value) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("{e}"),
        }
    }

    pub fn error(&self, e: &phananh_core::Error) {
        if self.json {
            let errors: Vec<_> = match e {
                phananh_core::Error::Invalid(list) => list.0.iter().map(|v| self.validation_json(v)).collect(),
                _ => Vec::new(),
            };
            let body = json!({ "error": { "code": e.code(), "message": e.message(self.lang), "errors": errors } });
            eprintln!("{body}");
        } else {
            eprintln!("{} {}", self.t("Lỗi:", "Error:"), e.message(self.lang));
        }
    }

    fn validation_json(&self, v: &ValidationError) -> serde_json::Value {
        json!({ "field": v.field().code(), "code": v.code(), "message": v.message(self.lang) })
    }

    pub fn summaries(&self, items: &[ReportSummary]) {
        if items.is_empty() {
            println!("{}", self.t("(không có phản ánh nào)", "(no reports)"));
            return;
        }
        for s in items {
            let code = s.tracking_code.as_deref().unwrap_or("");
            println!(
                "{}  {:<14} {:<12} {:<10} {}",
                s.id,
                s.state.label(self.lang),
                s.category.as_deref().unwrap_or("-"),
                code,
                excerpt(&s.description, 48)
            );
        }
    }

    pub fn report(&self, r: &Report) {
        let l = |vi, en| self.t(vi, en);
        println!("{} {}  [{}]", l("Phản ánh", "Report"), r.id, r.state.kind().label(self.lang));
        match &r.state {
            ReportState::Sent { tracking_code } => {
                println!("{:<18}{tracking_code}", l("Mã theo dõi:", "Tracking code:"))
            }
            ReportState::NeedsAttention { reason } => println!("{:<18}{reason}", l("Cần xem lại:", "Needs attention:")),
            _ => {}
        }
        println!("{:<18}{}", l("Loại:", "Category:"), r.category.as_deref().unwrap_or("-"));
        println!("{:<18}{}", l("Mô tả:", "Description:"), if r.description.is_empty() { "-" } else { &r.description });
        match &r.location {
            Some(loc) => {
                let acc = loc.accuracy_m.map(|a| format!(" (±{a:.0} m)")).unwrap_or_default();
                println!("{:<18}{:.6}, {:.6}{acc}", l("Vị trí:", "Location:"), loc.lat, loc.lon);
            }
            None => println!("{:<18}-", l("Vị trí:", "Location:")),
        }
        if let Some(a) = &r.address {
            println!("{:<18}{a}", l("Địa chỉ:", "Address:"));
        }
        let who = [r.reporter.name.as_deref(), r.reporter.phone.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let anon = if r.reporter.anonymous { l(" (ẩn danh)", " (anonymous)") } else { "" };
        println!("{:<18}{}{anon}", l("Người phản ánh:", "Reporter:"), if who.is_empty() { "-" } else { &who });
        if let Some(b) = &r.on_behalf_of {
            let who = [b.name.as_deref(), b.phone.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
            let consent =
                if b.consent { l("đã đồng ý", "agreed") } else { l("chưa đồng ý", "not yet agreed") };
            println!("{:<18}{} ({consent})", l("Phản ánh hộ:", "Filed for:"), if who.is_empty() { "-" } else { &who });
        }
        let bytes: u64 = r.photos.iter().map(|p| p.bytes).sum();
        println!("{:<18}{} ({} KB)", l("Ảnh:", "Photos:"), r.photos.len(), bytes.div_ceil(1024));
        println!("{:<18}{}", l("Tạo lúc:", "Created:"), local_time(r.created_at));
        println!("{:<18}{}", l("Cập nhật:", "Updated:"), local_time(r.updated_at));
        for h in &r.history {
            println!(
                "  {}  {}{}",
                local_time(h.at),
                h.status.label(self.lang),
                h.reply.as_deref().map(|t| format!(": {t}")).unwrap_or_default()
            );
        }
    }
}

pub fn local_time(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).unwrap_or_default()
}

/// The first line of a text, cut at `max` characters.
pub fn excerpt(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > max || text.contains('\n') {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}
