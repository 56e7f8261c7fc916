//! Tracking codes people read aloud over the phone and type on a feature
//! phone keypad: a district prefix and six characters from an alphabet
//! without look-alikes (no 0/O, 1/I/L, no U/V mix-ups).

const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";

/// A new random code such as `DL-7K3M9Q`.
pub fn new_code(prefix: &str) -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        // Only on a broken OS; the unique index still guards collisions.
        bytes = (phananh_protocol::Clock::now_ms(&phananh_protocol::SystemClock) as u64).to_le_bytes()[..6]
            .try_into()
            .unwrap_or([7; 6]);
    }
    let code: String = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    format!("{prefix}-{code}")
}

/// Normalise what a person typed: case, spaces, a missing dash.
pub fn normalize(input: &str) -> String {
    let compact: String = input.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
    match compact.len() {
        n if n > 6 => format!("{}-{}", &compact[..n - 6], &compact[n - 6..]),
        _ => compact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable() {
        for _ in 0..200 {
            let code = new_code("DL");
            assert_eq!(code.len(), 9);
            assert!(code[3..].bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            assert!(!code[3..].contains(['0', 'O', '1', 'I', 'L']));
        }
        assert_eq!(normalize(" dl 7k3m9q"), "DL-7K3M9Q");
        assert_eq!(normalize("DL-7K3M9Q"), "DL-7K3M9Q");
    }
}
