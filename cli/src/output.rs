//! Printing results and errors: text for people in their language, or JSON
//! for scripts.

use phananh_core::Lang;
use phananh_core::app::{ReportRow, ReportView};
use phananh_core::protocol::ValidationError;
use serde::Serialize;
use serde_json::json;

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

    pub fn rows(&self, items: &[ReportRow]) {
        if items.is_empty() {
            println!("{}", self.t("(không có phản ánh nào)", "(no reports)"));
            return;
        }
        for r in items {
            println!(
                "{}  {:<14} {:<12} {:<10} {}",
                r.id,
                r.state_label,
                r.category.as_deref().unwrap_or("-"),
                r.tracking_code.as_deref().unwrap_or(""),
                excerpt(&r.description, 48)
            );
        }
    }

    pub fn report(&self, r: &ReportView) {
        let l = |vi, en| self.t(vi, en);
        println!("{} {}  [{}]", l("Phản ánh", "Report"), r.id, r.state_label);
        if let Some(code) = &r.tracking_code {
            println!("{:<18}{code}", l("Mã theo dõi:", "Tracking code:"));
        }
        if let Some(reason) = &r.attention_reason {
            println!("{:<18}{reason}", l("Cần xem lại:", "Needs attention:"));
        }
        let category = r.category_name.as_deref().or(r.category.as_deref()).unwrap_or("-");
        println!("{:<18}{category}", l("Loại:", "Category:"));
        println!("{:<18}{}", l("Mô tả:", "Description:"), if r.description.is_empty() { "-" } else { &r.description });
        println!("{:<18}{}", l("Vị trí:", "Location:"), r.location_label.as_deref().unwrap_or("-"));
        if let Some(a) = &r.address {
            println!("{:<18}{a}", l("Địa chỉ:", "Address:"));
        }
        let who = [r.reporter_name.as_deref(), r.reporter_phone.as_deref()].into_iter().flatten().collect::<Vec<_>>();
        let anon = if r.anonymous { l(" (ẩn danh)", " (anonymous)") } else { "" };
        println!(
            "{:<18}{}{anon}",
            l("Người phản ánh:", "Reporter:"),
            if who.is_empty() { "-".into() } else { who.join(", ") }
        );
        if r.on_behalf {
            let who = [r.for_name.as_deref(), r.for_phone.as_deref()].into_iter().flatten().collect::<Vec<_>>();
            let consent =
                if r.consent { l("đã đồng ý", "agreed") } else { l("chưa đồng ý", "not yet agreed") };
            let who = if who.is_empty() { "-".into() } else { who.join(", ") };
            println!("{:<18}{who} ({consent})", l("Phản ánh hộ:", "Filed for:"));
        }
        println!("{:<18}{} ({})", l("Ảnh:", "Photos:"), r.photos.len(), r.photos_size_label);
        if let Some(line) = &r.handling_line {
            println!("{line}");
        }
        if let Some(used) = &r.data_used_label {
            println!("{used}");
        }
        println!("{:<18}{}", l("Tạo lúc:", "Created:"), r.created_label);
        println!("{:<18}{}", l("Cập nhật:", "Updated:"), r.updated_label);
        for h in &r.history {
            let reply = h.reply.as_deref().map(|t| format!(": {t}")).unwrap_or_default();
            println!("  {}  {}{reply}", h.at_label, h.status_label);
        }
        for line in [&r.rating_line, &r.reopen_line].into_iter().flatten() {
            println!("{line}");
        }
        if r.can_rate {
            println!(
                "{}",
                l(
                    "Đánh giá: phananh rate ID --score satisfied|acceptable|not_satisfied",
                    "Rate it: phananh rate ID --score satisfied|acceptable|not_satisfied"
                )
            );
        }
        if let Some(label) = r.reopen_label.as_ref().filter(|_| r.can_reopen) {
            println!("{label}: phananh reopen ID --reason …");
        }
    }
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
