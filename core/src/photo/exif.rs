//! Reading what EXIF says before it is thrown away: orientation (applied),
//! GPS position and capture time (offered to the user as a suggestion).

use exif::{In, Reader, Tag, Value};
use image::metadata::Orientation;
use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

use super::Suggestion;

/// Parse EXIF, keeping whatever is readable: phones write odd entries
/// (maker notes, bad offsets) that must not cost us the GPS block.
fn parse(raw: &[u8]) -> Option<exif::Exif> {
    let mut reader = Reader::new();
    reader.continue_on_error(true);
    reader.read_raw(raw.to_vec()).or_else(|e| e.distill_partial_result(|_| {})).ok()
}

/// The EXIF orientation, if stated and valid.
pub(super) fn orientation(raw: &[u8]) -> Option<Orientation> {
    let exif = parse(raw)?;
    let value = exif.get_field(Tag::Orientation, In::PRIMARY)?.value.get_uint(0)?;
    Orientation::from_exif(u8::try_from(value).ok()?)
}

/// Position and time from EXIF; anything missing or nonsensical is left out.
pub(super) fn suggestion(raw: &[u8]) -> Suggestion {
    let Some(exif) = parse(raw) else {
        return Suggestion::default();
    };
    let position = (|| {
        let lat = degrees(&exif.get_field(Tag::GPSLatitude, In::PRIMARY)?.value)?;
        let lon = degrees(&exif.get_field(Tag::GPSLongitude, In::PRIMARY)?.value)?;
        let lat_ref = text(&exif.get_field(Tag::GPSLatitudeRef, In::PRIMARY)?.value)?;
        let lon_ref = text(&exif.get_field(Tag::GPSLongitudeRef, In::PRIMARY)?.value)?;
        let lat = if lat_ref.starts_with('S') { -lat } else { lat };
        let lon = if lon_ref.starts_with('W') { -lon } else { lon };
        // (0, 0) is what some cameras write when they had no fix.
        let plausible = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && (lat, lon) != (0.0, 0.0);
        plausible.then_some((lat, lon))
    })();
    let taken_at = (|| {
        let field = exif
            .get_field(Tag::DateTimeOriginal, In::PRIMARY)
            .or_else(|| exif.get_field(Tag::DateTime, In::PRIMARY))?;
        let local = parse_exif_time(&text(&field.value)?)?;
        let offset = exif
            .get_field(Tag::OffsetTimeOriginal, In::PRIMARY)
            .and_then(|f| text(&f.value))
            .and_then(|t| parse_offset(&t))
            .unwrap_or(UtcOffset::UTC);
        Some(local.assume_offset(offset).to_offset(UtcOffset::UTC))
    })();
    Suggestion { position, taken_at }
}

fn degrees(value: &Value) -> Option<f64> {
    // The standard says unsigned rationals; some phones (the Nokia 8.3
    // among them) write signed ones.
    let parts: Vec<f64> = match value {
        Value::Rational(v) => v.iter().filter(|r| r.denom != 0).map(|r| r.to_f64()).collect(),
        Value::SRational(v) => v.iter().filter(|r| r.denom != 0).map(|r| r.to_f64()).collect(),
        _ => return None,
    };
    let deg = parts.first()? + parts.get(1).unwrap_or(&0.0) / 60.0 + parts.get(2).unwrap_or(&0.0) / 3600.0;
    (deg.is_finite() && deg >= 0.0).then_some(deg)
}

fn text(value: &Value) -> Option<String> {
    let Value::Ascii(parts) = value else { return None };
    let first = parts.first()?;
    Some(String::from_utf8_lossy(first).trim_end_matches('\0').trim().to_owned())
}

/// `YYYY:MM:DD HH:MM:SS`, as EXIF writes it.
fn parse_exif_time(s: &str) -> Option<PrimitiveDateTime> {
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let date = Date::from_calendar_date(
        num(0..4)? as i32,
        Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?,
        u8::try_from(num(8..10)?).ok()?,
    )
    .ok()?;
    let time = Time::from_hms(
        u8::try_from(num(11..13)?).ok()?,
        u8::try_from(num(14..16)?).ok()?,
        u8::try_from(num(17..19)?).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time))
}

/// `+07:00` or `-05:30`.
fn parse_offset(s: &str) -> Option<UtcOffset> {
    let sign = match s.get(0..1)? {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let h: i8 = s.get(1..3)?.parse().ok()?;
    let m: i8 = s.get(4..6)?.parse().ok()?;
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_times_and_offsets_parse() {
        let t = parse_exif_time("2024:03:15 08:30:05").unwrap();
        assert_eq!(t.to_string(), "2024-03-15 8:30:05.0");
        assert!(parse_exif_time("0000:00:00 00:00:00").is_none());
        assert!(parse_exif_time("garbage").is_none());
        assert_eq!(parse_offset("+07:00"), UtcOffset::from_hms(7, 0, 0).ok());
        assert_eq!(parse_offset("-05:30"), UtcOffset::from_hms(-5, -30, 0).ok());
        assert_eq!(parse_offset("07:00"), None);
    }
}
