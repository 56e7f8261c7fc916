//! Small helpers for server-rendered pages: escaping and one page frame,
//! readable on a phone.

use phananh_protocol::Lang;

/// Escape text for HTML element content and attribute values, and for
/// XML (the Open311 feed): markup characters become entities, and the
/// characters XML 1.0 forbids (noncharacters such as U+FFFF, stray
/// controls) are dropped, so one report can never make a feed invalid.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| phananh_protocol::text::xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page around `body`.
pub fn page(lang: &str, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;line-height:1.5;color:#222}}\
h1{{font-size:1.4rem}}table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}}\
.status{{display:inline-block;padding:.1rem .5rem;border-radius:.8rem;background:#eef;font-size:.9rem}}\
img{{max-width:100%;height:auto;border-radius:.3rem}}.reply{{background:#f5f5f0;padding:.5rem;border-left:3px solid #888}}\
input,select,textarea,button{{font-size:1rem;padding:.4rem;max-width:100%}}nav a{{margin-right:1rem}}</style></head>\
<body>{body}</body></html>",
        title = esc(title)
    )
}

/// A status code as words (from the one table in `protocol`).
pub fn status_label(status: &str, en: bool) -> &'static str {
    phananh_protocol::status::label_of(status, if en { Lang::En } else { Lang::Vi })
}
