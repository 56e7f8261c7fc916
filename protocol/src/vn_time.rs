//! Times as people in Vietnam read them: "17:00 04/12/2026", in Vietnam's
//! time (UTC+7 all year; no daylight saving), never raw UTC. The phone, the
//! CLI and the server's pages all write times through here.

use time::macros::{format_description, offset};
use time::{OffsetDateTime, UtcOffset};

/// Vietnam's offset from UTC.
pub const OFFSET: UtcOffset = offset!(+7);

/// "17:00 04/12/2026".
pub fn format(t: OffsetDateTime) -> String {
    t.to_offset(OFFSET).format(format_description!("[hour]:[minute] [day]/[month]/[year]")).unwrap_or_default()
}

/// "04/12/2026".
pub fn date(t: OffsetDateTime) -> String {
    t.to_offset(OFFSET).format(format_description!("[day]/[month]/[year]")).unwrap_or_default()
}

/// [`format()`] for milliseconds since the epoch (an impossible value reads
/// as the epoch).
pub fn format_ms(ms: i64) -> String {
    format(from_ms(ms).unwrap_or(OffsetDateTime::UNIX_EPOCH))
}

/// A time for people in their language: "17:00 04/12/2026" in Vietnamese,
/// "4 Dec 2026, 17:00" in English; Vietnam time either way.
pub fn format_in(ms: i64, lang: crate::Lang) -> String {
    match lang {
        crate::Lang::Vi => format_ms(ms),
        crate::Lang::En => from_ms(ms)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(OFFSET)
            .format(format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute]"))
            .unwrap_or_default(),
    }
}

/// The instant `ms` milliseconds after the epoch, if representable.
pub fn from_ms(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// RFC 3339 in UTC for machines (APIs, Open311, exports) from ms since the
/// epoch; empty for an impossible value.
pub fn rfc3339(ms: i64) -> String {
    from_ms(ms).and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()).unwrap_or_default()
}

/// The first instant of a Vietnam calendar day written `YYYY-MM-DD` (as an
/// HTML date field sends it), in ms; `None` if it is not such a day.
pub fn day_start_ms(day: &str) -> Option<i64> {
    let date = time::Date::parse(day.trim(), format_description!("[year]-[month]-[day]")).ok()?;
    Some(ms(date.midnight().assume_offset(OFFSET)))
}

/// The Vietnam calendar day of an instant, `YYYY-MM-DD`.
pub fn iso_date(ms: i64) -> String {
    from_ms(ms)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(OFFSET)
        .format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// Milliseconds since the epoch.
pub fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_day_starts_at_midnight_in_vietnam() {
        assert_eq!(day_start_ms("2026-12-04"), Some(ms(datetime!(2026-12-03 17:00 UTC))));
        assert_eq!(iso_date(ms(datetime!(2026-12-03 17:00 UTC))), "2026-12-04");
        assert_eq!(iso_date(ms(datetime!(2026-12-03 16:59 UTC))), "2026-12-03");
        for bad in ["", "04/12/2026", "2026-13-01", "2026-02-30", "2026-12-04T00:00"] {
            assert_eq!(day_start_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn utc_evening_is_the_next_morning_in_vietnam() {
        assert_eq!(format(datetime!(2026-12-04 10:00 UTC)), "17:00 04/12/2026");
        assert_eq!(format(datetime!(2026-12-31 20:30 UTC)), "03:30 01/01/2027");
        assert_eq!(date(datetime!(2026-12-31 20:30 UTC)), "01/01/2027");
        assert_eq!(format_ms(ms(datetime!(2026-12-04 10:00 UTC))), "17:00 04/12/2026");
        assert_eq!(format_ms(i64::MAX), "07:00 01/01/1970");
        assert_eq!(rfc3339(ms(datetime!(2026-12-04 10:00 UTC))), "2026-12-04T10:00:00Z");
        assert_eq!(rfc3339(i64::MAX), "");
        let at = ms(datetime!(2026-12-04 10:00 UTC));
        assert_eq!(format_in(at, crate::Lang::Vi), "17:00 04/12/2026");
        assert_eq!(format_in(at, crate::Lang::En), "4 Dec 2026, 17:00");
    }
}
