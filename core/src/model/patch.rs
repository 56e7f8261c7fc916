//! A change to a draft: only the fields that are set are written.
//!
//! Autosave calls this on every keystroke pause, so a patch of one field is
//! one cheap `UPDATE`. Outer `None` = leave as is; `Some(None)` = clear.

use super::Location;

/// Fields to set on a draft. Text is NFC-normalised and trimmed by the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftPatch {
    /// Category code.
    pub category: Option<Option<String>>,
    /// Description.
    pub description: Option<String>,
    /// Position.
    pub location: Option<Option<Location>>,
    /// Address text.
    pub address: Option<Option<String>>,
    /// Reporter's name.
    pub reporter_name: Option<Option<String>>,
    /// Reporter's phone, as typed.
    pub reporter_phone: Option<Option<String>>,
    /// Keep the reporter's name and phone from the public.
    pub anonymous: Option<bool>,
    /// Whether this is filed for a neighbour.
    pub on_behalf: Option<bool>,
    /// Neighbour's name.
    pub for_name: Option<Option<String>>,
    /// Neighbour's phone, as typed.
    pub for_phone: Option<Option<String>>,
    /// Neighbour's consent.
    pub consent: Option<bool>,
}

impl DraftPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == DraftPatch::default()
    }
}
