//! The uniffi façade over `phananh-core`: one object for Kotlin, Swift and
//! Python, each method one line over the core's `App`.
//!
//! - [`PhanAnh`]: the object the apps hold, and the sync's runtime;
//! - [`SecretStore`], [`SyncListener`]: traits the apps implement;
//! - [`PhanAnhError`]: the one error type (Kotlin `PhanAnhException`).
//!
//! The records and enums (reports, rows, settings, labels…) are the core's
//! own view models, which derive uniffi's traits behind its `uniffi`
//! feature; they are generated into their own module (`phananh_core`;
//! Kotlin `vn.phananh.core.model`), next to this one. Generate bindings
//! with `cargo xtask bindings`. Android also calls one JNI function at
//! start-up (`android` module: TLS set-up).

mod android;
mod api;
mod error;
mod foreign;

pub use api::{PhanAnh, SyncTask};
pub use error::PhanAnhError;
pub use foreign::{SecretStore, SyncListener};

uniffi::setup_scaffolding!();

// The language is the protocol's own enum, declared to uniffi in the core
// (a "remote type"); this lets our methods take and return it too.
use phananh_core::{Lang, Score};
uniffi::use_remote_type!(phananh_core::Lang);
uniffi::use_remote_type!(phananh_core::Score);

/// The version of the core these bindings wrap.
#[uniffi::export]
pub fn core_version() -> String {
    phananh_core::VERSION.to_owned()
}

#[cfg(test)]
mod tests;
