//! Vietnamese text handling: NFC on the way in, accent-free folding for search.
//!
//! Phones and keyboards produce both composed and decomposed Vietnamese
//! ("ư" + combining hook above vs. "ử"); storing NFC means equal text is equal
//! bytes. Search folds further: no tone marks, no vowel marks, `đ` → `d`,
//! lower case, so "duong" finds "Đường".

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// NFC-normalise and trim a single-line field; control characters become spaces.
pub fn clean_line(s: &str) -> String {
    let nfc: String = s.nfc().map(|c| if c.is_control() { ' ' } else { c }).collect();
    nfc.trim().to_owned()
}

/// NFC-normalise and trim a multi-line text: line endings become `\n`, other
/// control characters (but tabs) are dropped.
pub fn clean_text(s: &str) -> String {
    let unified = s.replace("\r\n", "\n").replace('\r', "\n");
    let nfc: String = unified.nfc().filter(|&c| !c.is_control() || c == '\n' || c == '\t').collect();
    nfc.trim().to_owned()
}

/// Like [`clean_line`], but an empty result is `None`.
pub fn clean_optional(s: Option<&str>) -> Option<String> {
    s.map(clean_line).filter(|s| !s.is_empty())
}

/// Fold text for accent- and case-insensitive search.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Split a search query into folded words; every word must match.
pub fn fold_query(q: &str) -> Vec<String> {
    fold(q).split_whitespace().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_becomes_composed() {
        let decomposed = "\u{0110}u\u{031B}o\u{031B}\u{0300}ng";
        assert_ne!(decomposed, "Đường");
        assert_eq!(clean_line(decomposed), "Đường");
    }

    #[test]
    fn fold_removes_all_marks() {
        assert_eq!(fold("Đường làng bị ngập"), "duong lang bi ngap");
        assert_eq!(fold("ĐÈN ĐƯỜNG HỎNG"), "den duong hong");
        assert_eq!(fold("Cây đổ"), "cay do");
        // Composed and decomposed input fold alike.
        assert_eq!(fold("u\u{031B}\u{0301}"), fold("ứ"));
    }

    #[test]
    fn clean_text_keeps_lines_drops_controls() {
        assert_eq!(clean_text("  a\r\nb\u{0007}c\t \n"), "a\nbc");
        assert_eq!(clean_line(" a\nb "), "a b");
        assert_eq!(clean_optional(Some("   ")), None);
    }

    #[test]
    fn query_words() {
        assert_eq!(fold_query("  Đèn   đường "), vec!["den", "duong"]);
        assert!(fold_query("   ").is_empty());
    }
}
