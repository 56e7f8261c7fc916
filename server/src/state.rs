//! What every handler shares.

use std::path::PathBuf;
use std::sync::Arc;

use phananh_protocol::Limits;

use crate::photos::PhotoStore;
use crate::ratelimit::RateLimiter;
use crate::storage::Storage;

/// Settings a deployment chooses.
#[derive(Debug, Clone)]
pub struct Config {
    /// Data directory: database, photos, partial uploads.
    pub data_dir: PathBuf,
    /// Limits reports must respect.
    pub limits: Limits,
    /// Largest photo accepted, in bytes.
    pub max_photo_bytes: u64,
    /// How long an unfinished upload is kept, in seconds.
    pub upload_ttl_secs: i64,
    /// Most unfinished uploads one device may have open.
    pub max_open_uploads: u32,
    /// Report creations allowed per device per minute.
    pub creates_per_minute: u32,
    /// Report creations allowed per client IP per minute (0: no limit).
    /// Generous: a whole village can sit behind one carrier-grade NAT address.
    pub ip_creates_per_minute: u32,
    /// Upload requests allowed per device per minute.
    pub uploads_per_minute: u32,
    /// Tracking code prefix, e.g. `DL` for Đô Lương.
    pub code_prefix: String,
}

impl Config {
    /// Defaults for a data directory.
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            data_dir,
            limits: Limits::default(),
            max_photo_bytes: 4 * 1024 * 1024,
            upload_ttl_secs: 24 * 3600,
            max_open_uploads: 20,
            creates_per_minute: 30,
            ip_creates_per_minute: 600,
            uploads_per_minute: 600,
            code_prefix: "DL".into(),
        }
    }
}

/// Shared state.
pub struct AppState {
    /// Settings.
    pub config: Config,
    /// The records (reports, devices, uploads, staff…).
    pub store: Arc<dyn Storage>,
    /// Where finished photos are kept.
    pub photos: Arc<dyn PhotoStore>,
    /// Where partial uploads are kept.
    pub upload_dir: PathBuf,
    /// Request rate limits.
    pub limiter: RateLimiter,
}

/// The state as handlers receive it.
pub type Shared = Arc<AppState>;
