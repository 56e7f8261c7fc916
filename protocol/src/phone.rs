//! Vietnamese phone numbers, normalised to E.164 (`+84…`).
//!
//! People write numbers as `0912 345 678`, `091.234.5678`, `+84 912345678` or
//! `84912345678`; the server and SMS gateways want one form.

/// The text is not a Vietnamese phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Vietnamese phone number")]
pub struct PhoneError;

/// Normalise a Vietnamese mobile or landline number to E.164.
///
/// Mobile numbers have 9 digits after the country code, starting with 3, 5,
/// 7, 8 or 9; landlines have 10, starting with 2.
pub fn normalize_phone(input: &str) -> Result<String, PhoneError> {
    let mut compact = String::with_capacity(input.len());
    for c in input.trim().chars() {
        match c {
            ' ' | '.' | '-' | '(' | ')' | '\u{a0}' => {}
            '+' if compact.is_empty() => compact.push('+'),
            c if c.is_ascii_digit() => compact.push(c),
            _ => return Err(PhoneError),
        }
    }
    let national = if let Some(rest) = compact.strip_prefix("+84") {
        rest
    } else if let Some(rest) = compact.strip_prefix("0084") {
        rest
    } else if let Some(rest) = compact.strip_prefix('0') {
        rest
    } else if compact.starts_with("84") && (compact.len() == 11 || compact.len() == 12) {
        &compact[2..]
    } else {
        return Err(PhoneError);
    };
    // A trunk zero written after the country code ("+84 09…") is a common slip.
    let national = if national.len() > 9 && national.starts_with('0') { &national[1..] } else { national };
    if !national.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PhoneError);
    }
    let ok = matches!(
        (national.len(), national.as_bytes().first()),
        (9, Some(b'3' | b'5' | b'7' | b'8' | b'9')) | (10, Some(b'2'))
    );
    if ok { Ok(format!("+84{national}")) } else { Err(PhoneError) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_forms() {
        for input in [
            "0912345678",
            "0912 345 678",
            "091.234.5678",
            "+84912345678",
            "+84 912 345 678",
            "84912345678",
            "0084912345678",
            "+84 0912345678",
            "(091) 234-5678",
        ] {
            assert_eq!(normalize_phone(input).as_deref(), Ok("+84912345678"), "{input}");
        }
        assert_eq!(normalize_phone("0238 3871 234").as_deref(), Ok("+842383871234"));
        assert_eq!(normalize_phone("0388888888").as_deref(), Ok("+84388888888"));
    }

    #[test]
    fn refuses_others() {
        for input in [
            "",
            "   ",
            "12345",
            "091234567",   // one digit short
            "09123456789", // one digit long
            "0112345678",  // no such prefix
            "+1 415 555 0100",
            "0912a45678",
            "091234567８", // full-width digit
            "++84912345678",
            "0412345678",
        ] {
            assert_eq!(normalize_phone(input), Err(PhoneError), "{input}");
        }
    }
}
