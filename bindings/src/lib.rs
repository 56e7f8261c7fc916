//! The uniffi façade over `phananh-core`.
//!
//! A placeholder until the bindings issue: it only proves the dependency
//! arrow (bindings → core) holds in the workspace.

/// The version of the core these bindings wrap.
pub fn core_version() -> &'static str {
    phananh_core::VERSION
}
