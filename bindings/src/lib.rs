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

/// The version of the core these bindings wrap.
#[uniffi::export]
pub fn core_version() -> String {
    phananh_core::VERSION.to_owned()
}

#[cfg(test)]
mod tests;
