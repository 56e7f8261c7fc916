//! The two languages every user-facing message exists in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language for user-facing text. Vietnamese is the default: the people
/// this serves read it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Tiếng Việt.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 code: `vi` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Pick the text for this language.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// The best language for an HTTP `Accept-Language` header value
    /// (weights honoured); Vietnamese when nothing matches.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Ok(lang) = tag.parse::<Lang>() else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// Upper-case the first letter: Rust error texts start lower-case, people's
/// messages start with a capital.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text was not `vi` or `en` (region suffixes such as `vi-VN` are fine).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}: use vi or en")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let primary = s.split(['-', '_', '.']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "vi" => Ok(Lang::Vi),
            "en" => Ok(Lang::En),
            _ => Err(UnknownLang(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_with_regions() {
        assert_eq!("vi".parse::<Lang>().unwrap(), Lang::Vi);
        assert_eq!("en-US".parse::<Lang>().unwrap(), Lang::En);
        assert_eq!("vi_VN.UTF-8".parse::<Lang>().unwrap(), Lang::Vi);
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn accept_language_honours_weights() {
        assert_eq!(Lang::from_accept_language("en;q=0.9, vi;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr, vi;q=0.2, en;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr"), Lang::Vi);
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::Vi);
        assert_eq!(Lang::from_accept_language(""), Lang::Vi);
    }
}
