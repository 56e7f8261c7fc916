//! Client-generated identifiers.
//!
//! A report's id is made on the phone (UUIDv7: time-ordered, so ids sort by
//! creation) and is its idempotency key for life: every resend after a crash
//! or a dropped response carries the same id, and the server deduplicates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                $name(Uuid::now_v7())
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                $name(u)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map($name)
                    .map_err(|_| InvalidId { what: $what, text: s.chars().take(64).collect() })
            }
        }
    };
}

id_type!(
    /// A report's id (UUIDv7), made on the device; its idempotency key for life.
    ReportId,
    "report"
);
id_type!(
    /// A photo's id (UUIDv7), made on the device when the photo is attached.
    PhotoId,
    "photo"
);

/// Text that is not an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a {what} id")]
pub struct InvalidId {
    /// What kind of id was expected.
    pub what: &'static str,
    /// The text given (at most 64 characters of it).
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_ordered() {
        let a = ReportId::new();
        let b = ReportId::new();
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert!(a < b, "ids made later sort later");
        assert_eq!(a.to_string().parse::<ReportId>().unwrap(), a);
        assert!("not-an-id".parse::<ReportId>().is_err());
    }
}
