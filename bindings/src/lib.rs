//! The uniffi façade over `phananh-core`: one small API for Kotlin, Swift
//! and Python.
//!
//! - [`PhanAnh`]: the object the apps hold (drafts, photos, reports,
//!   categories, duplicate hints, sync);
//! - [`SecretStore`], [`SyncListener`]: traits the apps implement;
//! - [`PhanAnhError`]: the one error type (Kotlin `PhanAnhException`);
//! - `types`: the records and enums, labels already in the chosen language.
//!
//! Generate bindings with `cargo xtask bindings`. Android also calls one
//! JNI function at start-up (`android` module: TLS set-up).

mod android;
mod api;
mod convert;
mod error;
mod foreign;
mod types;

pub use api::{PhanAnh, SyncTask};
pub use error::PhanAnhError;
pub use foreign::{SecretStore, SyncListener};
pub use types::*;

uniffi::setup_scaffolding!();

/// A server address as typed in settings, checked (http or https, a host)
/// and written one way (trimmed, no trailing slash); `Validation` with a
/// message in `language` if it is not an address.
#[uniffi::export]
pub fn normalize_server_url(url: String, language: Language) -> Result<String, PhanAnhError> {
    let lang = convert::lang(language);
    api::guard(lang, || phananh_core::sync::normalize_server_url(&url).map_err(|e| PhanAnhError::from_core(e, lang)))
}

/// The app's language for a device locale (`vi-VN`, `en-US`, `fr`…):
/// Vietnamese for Vietnamese, English otherwise.
#[uniffi::export]
pub fn language_for_locale(locale: String) -> Language {
    match phananh_core::ui_text::language_for_locale(&locale) {
        phananh_core::Lang::Vi => Language::Vi,
        phananh_core::Lang::En => Language::En,
    }
}

/// The version of the core these bindings wrap.
#[uniffi::export]
pub fn core_version() -> String {
    phananh_core::VERSION.to_owned()
}

#[cfg(test)]
mod tests;
