//! The text a report is searched by, the same in every store: folded
//! (accents and `đ` off, lower case, as the phone folds) so a search typed
//! without accents finds text written with them.

use phananh_protocol::text::fold;

/// A space, the folded description, the tracking code, the folded address.
/// The leading space lets a short word ("ao", "gà") match at the start of
/// the text: a search pattern for a word under three letters is the word
/// with the space before it (at a word's start only, and long enough for a
/// trigram index).
pub fn searchable(description: &str, code: &str, address: Option<&str>) -> String {
    format!(" {} {} {}", fold(description), code.to_lowercase(), fold(address.unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_is_folded_and_the_text_starts_with_a_space() {
        assert_eq!(searchable("Ao tù", "DL-ABC234", Some("Xóm Đồng")), " ao tu dl-abc234 xom dong");
        assert_eq!(searchable("Đèn", "DL-X", None), " den dl-x ");
    }
}
