//! Formatting that is logic, not layout: relative times and category names
//! in the user's language, the same in every shell.

use phananh_protocol::wire::Services;
use time::OffsetDateTime;

use crate::Lang;

/// "vừa xong", "5 phút trước", "3 ngày trước" / "just now", "5 minutes ago".
/// A time in the future (a phone clock behind the server's) reads as now.
pub fn relative_time(then: OffsetDateTime, now: OffsetDateTime, lang: Lang) -> String {
    let secs = (now - then).whole_seconds().max(0);
    let (n, vi, en) = match secs {
        0..=59 => return lang.pick("vừa xong", "just now").to_owned(),
        60..=3_599 => (secs / 60, "phút", "minute"),
        3_600..=86_399 => (secs / 3_600, "giờ", "hour"),
        86_400..=2_591_999 => (secs / 86_400, "ngày", "day"),
        2_592_000..=31_535_999 => (secs / 2_592_000, "tháng", "month"),
        _ => (secs / 31_536_000, "năm", "year"),
    };
    match lang {
        Lang::Vi => format!("{n} {vi} trước"),
        Lang::En if n == 1 => format!("1 {en} ago"),
        Lang::En => format!("{n} {en}s ago"),
    }
}

/// A category's name in `lang` from the cached list, else its code.
pub fn category_name(services: Option<&Services>, code: &str, lang: Lang) -> String {
    services
        .and_then(|s| s.categories.iter().find(|c| c.code == code))
        .map(|c| lang.pick(&c.name_vi, &c.name_en).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn relative_times_in_both_languages() {
        let now = OffsetDateTime::now_utc();
        let cases = [
            (Duration::seconds(5), "vừa xong", "just now"),
            (Duration::minutes(1), "1 phút trước", "1 minute ago"),
            (Duration::minutes(42), "42 phút trước", "42 minutes ago"),
            (Duration::hours(3), "3 giờ trước", "3 hours ago"),
            (Duration::days(2), "2 ngày trước", "2 days ago"),
            (Duration::days(65), "2 tháng trước", "2 months ago"),
            (Duration::days(800), "2 năm trước", "2 years ago"),
            (Duration::minutes(-10), "vừa xong", "just now"),
        ];
        for (ago, vi, en) in cases {
            assert_eq!(relative_time(now - ago, now, Lang::Vi), vi);
            assert_eq!(relative_time(now - ago, now, Lang::En), en);
        }
    }
}
