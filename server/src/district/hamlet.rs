//! The hamlet an address names. A district's 190 hamlets (thôn, xóm,
//! khối, bản…) have no boundaries on file, but people write them first in
//! an address ("Xóm 3, Tràng Sơn"; the app's address field asks for
//! "thôn, xã"), and each hamlet's community digital-tech team files for
//! neighbours in its own hamlet: the overview counts volunteers' reports
//! by the hamlet their address names.

use phananh_protocol::text::fold;

/// Words that start a hamlet's name ("tổ dân phố" is three), as written
/// and folded. Written with its accents, a kind is known anywhere in a part
/// of the address; without them only at the part's start ("bán hàng",
/// selling, folds to the same letters as "bản", a hamlet of the hills).
const HAMLET_WORDS: [(&str, &str); 7] = [
    ("thôn", "thon"),
    ("xóm", "xom"),
    ("khối", "khoi"),
    ("bản", "ban"),
    ("làng", "lang"),
    ("ấp", "ap"),
    ("tổ dân phố", "to dan pho"),
];
/// Folded words that end it: the commune, ward, town, district, province.
const STOP_WORDS: [&str; 6] = ["xa", "phuong", "thi", "huyen", "tinh", "tp"];
/// Words a hamlet's name takes at most after its kind.
const MAX_NAME_WORDS: usize = 4;

/// `(key, name)`: the folded key reports are grouped by ("xom 3") and the
/// name as first written ("Xóm 3"); `None` if the address names no hamlet.
pub fn hamlet_of(address: &str) -> Option<(String, String)> {
    for part in address.split([',', ';', '\n', '(', ')']) {
        let words: Vec<&str> = part.split_whitespace().collect();
        let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
        let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        for start in 0..folded.len() {
            let kind = HAMLET_WORDS.iter().find_map(|(written, plain)| {
                let n = plain.split(' ').count();
                let accented = lower.get(start..start + n)?.join(" ") == *written;
                let bare = start == 0 && folded.get(start..start + n)?.join(" ") == *plain;
                (accented || bare).then_some(n)
            });
            let Some(kind_len) = kind else { continue };
            let name_start = start + kind_len;
            let name_end = (name_start..folded.len())
                .find(|&i| STOP_WORDS.contains(&folded[i].as_str()) || i - name_start >= MAX_NAME_WORDS)
                .unwrap_or(folded.len());
            if name_end == name_start {
                continue;
            }
            let key = folded[start..name_end].join(" ");
            let mut name = words[start..name_end].join(" ");
            // "xóm 3" and "Xóm 3" are one hamlet; shown capitalised.
            if let Some(first) = name.chars().next() {
                name = first.to_uppercase().chain(name.chars().skip(1)).collect();
            }
            return Some((key, name));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hamlet_is_the_first_named_part_of_an_address() {
        let name = |a: &str| hamlet_of(a).map(|h| h.1);
        let key = |a: &str| hamlet_of(a).map(|h| h.0);
        assert_eq!(name("Xóm 3, Tràng Sơn"), Some("Xóm 3".into()));
        assert_eq!(name("thôn Yên Thành xã Bài Sơn huyện Đô Lương"), Some("Thôn Yên Thành".into()));
        assert_eq!(name("Số 12, khối 5, thị trấn Đô Lương"), Some("Khối 5".into()));
        assert_eq!(name("Tổ dân phố 2 thị trấn"), Some("Tổ dân phố 2".into()));
        assert_eq!(name("gần chợ, Bản Khe Choăng (Tam Đình)"), Some("Bản Khe Choăng".into()));
        // One hamlet however it is typed.
        assert_eq!(key("XÓM 3, Tràng Sơn"), key("xom 3 xa Trang Son"));
        // No hamlet named: the commune alone, a bare kind word, nothing.
        assert_eq!(name("xã Tràng Sơn"), None);
        assert_eq!(name("Thôn, xã Bắc Sơn"), None);
        assert_eq!(name(""), None);
        // Selling is not a hamlet; a bare kind word counts at a part's start.
        assert_eq!(name("gần quán bán hàng, xom 3"), Some("Xom 3".into()));
        assert_eq!(name("nha van hoa ban Cha Lan"), None);
        // A long run of words is cut at four after the kind.
        assert_eq!(name("thôn một hai ba bốn năm sáu"), Some("Thôn một hai ba bốn".into()));
    }
}
