//! Vietnamese text handling: NFC on the way in, accent-free folding for search.
//!
//! Phones and keyboards produce both composed and decomposed Vietnamese
//! ("ư" + combining hook above vs. "ử"); storing NFC means equal text is equal
//! bytes. Search folds further: no tone marks, no vowel marks, `đ` → `d`,
//! lower case, so "duong" finds "Đường".

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// NFC-normalise and trim a single-line field; control characters become
/// spaces, [`unwanted`] characters are dropped.
pub fn clean_line(s: &str) -> String {
    let nfc: String = s.nfc().filter(|&c| !unwanted(c)).map(|c| if c.is_control() { ' ' } else { c }).collect();
    nfc.trim().to_owned()
}

/// NFC-normalise and trim a multi-line text: line endings become `\n`, other
/// control characters (but tabs) and [`unwanted`] characters are dropped.
pub fn clean_text(s: &str) -> String {
    let unified = s.replace("\r\n", "\n").replace('\r', "\n");
    let nfc: String = unified.nfc().filter(|&c| !unwanted(c) && (!c.is_control() || c == '\n' || c == '\t')).collect();
    nfc.trim().to_owned()
}

/// Characters no report needs and that do harm where text is shown or
/// published: Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF… —
/// invalid in XML, so one of them breaks an Open311 feed for every
/// aggregator), bidirectional embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069: they make text read backwards on a staff
/// page), and the byte-order mark.
pub fn unwanted(c: char) -> bool {
    let u = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
        || (0x202A..=0x202E).contains(&u)
        || (0x2066..=0x2069).contains(&u)
        || u == 0xFEFF
}

/// How many characters a reader sees, after trimming: invisible format
/// characters (zero-width spaces and joiners, soft hyphens, word joiners)
/// do not count, so twelve zero-width spaces are not a 10-character
/// description.
pub fn visible_len(s: &str) -> usize {
    let seen: String = s.chars().filter(|&c| !invisible(c) && !unwanted(c)).collect();
    seen.trim().chars().count()
}

fn invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{034F}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}')
}

/// Whether XML 1.0 allows `c` in a document (its `Char` production). Text
/// written into XML passes through this: what it refuses is dropped.
pub fn xml_char(c: char) -> bool {
    matches!(u32::from(c), 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
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
    fn noncharacters_and_bidi_overrides_are_dropped() {
        assert_eq!(clean_text("a\u{FFFF}b\u{FFFE}c\u{1FFFF}d\u{FDD0}"), "abcd");
        assert_eq!(clean_line("\u{202E}gnp.exe\u{202C} \u{2066}x\u{2069}\u{FEFF}"), "gnp.exe x");
        // Zero-width joiners stay (emoji and some scripts need them) but do not count.
        assert_eq!(clean_text("👨\u{200D}👩"), "👨\u{200D}👩");
        assert_eq!(visible_len(&"\u{200B}".repeat(12)), 0);
        assert_eq!(visible_len(" Ổ gà lớn\u{200B} "), 8);
        assert!(xml_char('ử') && xml_char('\n') && !xml_char('\u{FFFF}') && !xml_char('\u{1}'));
    }

    #[test]
    fn query_words() {
        assert_eq!(fold_query("  Đèn   đường "), vec!["den", "duong"]);
        assert!(fold_query("   ").is_empty());
    }
}
