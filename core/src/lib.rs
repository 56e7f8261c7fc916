//! Phản Ánh's shared core: everything the app does, as plain Rust.
//!
//! The phone shells, the desktop CLI and (through `phananh-ffi`) Kotlin and
//! Swift all stand on this crate; it knows nothing of any of them.
//!
//! - [`app`]: the use cases the shells and the CLI call, answering with view models;
//! - [`model`]: reports, their states, ids and the district's statuses;
//! - [`store`]: the offline store (SQLite) for drafts and the outbox;
//! - [`photo`]: photo compression (EXIF stripped, GPS kept only as a suggestion);
//! - [`sync`]: the outbox to the server and statuses back;
//! - [`format`](mod@format): relative times and category names in the user's language;
//! - [`ui_text`]: the apps' labels in Vietnamese and English, in one table;
//! - [`error`]: typed errors with Vietnamese and English messages.
//!
//! Validation rules and text handling shared with the server live in
//! [`phananh_protocol`], re-exported here as [`protocol`].

#![warn(missing_docs)]

pub mod app;
pub mod error;
pub mod format;
pub mod model;
pub mod notify;
pub mod photo;
pub mod store;
pub mod sync;
pub mod ui_text;

pub use app::App;
pub use error::{Error, Result};
pub use phananh_protocol as protocol;
pub use phananh_protocol::{Lang, Score};
pub use store::Store;

// The FFI derives its types from the views here (`phananh-ffi` turns this on).
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
