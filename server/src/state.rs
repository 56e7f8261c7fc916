//! What every handler shares.

use std::path::PathBuf;
use std::sync::Arc;

use phananh_protocol::Limits;

use crate::photos::PhotoStore;
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
    /// The address residents and aggregators reach the server at, for
    /// links in answers (`public_url`, Open311's `media_url`). Never taken
    /// from a request's `Host` header, which any client can set. `None`:
    /// the address the server listens on.
    pub public_url: Option<String>,
    /// Connections and their timeouts.
    pub conn: crate::listen::ConnLimits,
    /// Most memory one photo decode (thumbnails) may need, in bytes;
    /// larger photos are refused before anything is allocated.
    pub decode_budget: u64,
    /// Photo decodes running at once (each within `decode_budget`).
    pub decode_concurrency: usize,
    /// Where "now" comes from (the system's clock; tests set the time).
    pub clock: std::sync::Arc<dyn phananh_protocol::Clock>,
    /// The district's configuration file; `None`: `DATA/district.toml` if
    /// there is one, else a district with no units but itself.
    pub district_file: Option<PathBuf>,
    /// PostgreSQL instead of `DIR/server.sqlite3`
    /// (`postgres://user:password@host:port/database`), for a province's
    /// replicas sharing one database.
    pub database: Option<String>,
    /// An S3-compatible bucket instead of `DIR/photos` and `DIR/uploads`,
    /// so a tus PATCH may land on any replica.
    pub photos: Option<crate::photos::s3::S3Location>,
    /// Proxies whose `X-Forwarded-For` tells the client's address (the load
    /// balancer in front of replicas); none by default.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The maps' basemap: a tile URL template (`{z}/{x}/{y}`) and its
    /// attribution; `None`: maps without a basemap (reports and commune
    /// boundaries only).
    pub map_tiles: Option<MapTiles>,
}

/// A basemap's tiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapTiles {
    /// `https://tile.openstreetmap.org/{z}/{x}/{y}.png`.
    pub url: String,
    /// What the map must credit ("© OpenStreetMap contributors").
    pub attribution: String,
}

impl MapTiles {
    /// OpenStreetMap's standard tiles (their usage policy asks for the
    /// attribution and a real user agent, which browsers send).
    pub fn openstreetmap() -> MapTiles {
        MapTiles {
            url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            attribution: "© OpenStreetMap contributors".into(),
        }
    }

    /// The tiles' origin (`https://tile.openstreetmap.org`), which the map
    /// pages' Content-Security-Policy lets images come from; `None` if the
    /// URL has none a policy can name.
    pub fn origin(&self) -> Option<String> {
        let (scheme, rest) = self.url.split_once("://")?;
        let host = rest.split('/').next()?;
        let ok = matches!(scheme, "http" | "https")
            && !host.is_empty()
            && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '{' | '}'));
        // A `{s}` subdomain becomes a wildcard.
        ok.then(|| format!("{scheme}://{}", host.replace("{s}", "*")))
    }
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
            public_url: None,
            conn: crate::listen::ConnLimits::default(),
            decode_budget: 64 << 20,
            decode_concurrency: 2,
            clock: std::sync::Arc::new(phananh_protocol::SystemClock),
            district_file: None,
            database: None,
            photos: None,
            trusted_proxies: Vec::new(),
            map_tiles: Some(MapTiles::openstreetmap()),
        }
    }
}

/// Shared state.
pub struct AppState {
    /// Settings.
    pub config: Config,
    /// The records (reports, devices, uploads, staff…).
    pub store: Arc<dyn Storage>,
    /// Where photos, and the bytes of unfinished uploads, are kept.
    pub photos: Arc<dyn PhotoStore>,
    /// Reports: intake, photos, staff's changes (the rules, once).
    pub reports: crate::service::ReportService,
    /// Rate limits and sign-in back-off, shared by the replicas.
    pub shared: Arc<dyn crate::coordination::Coordination>,
    /// Which request writes which upload now, on any replica.
    pub claims: crate::coordination::Claims,
    /// The public base URL, fixed when the server starts listening.
    pub public_url: std::sync::OnceLock<String>,
    /// Photo decodes at once.
    pub decodes: tokio::sync::Semaphore,
}

impl AppState {
    /// Milliseconds since the epoch, from the configured clock.
    pub fn now_ms(&self) -> i64 {
        self.config.clock.now_ms()
    }

    /// `http://host:port` (no trailing slash) for links in answers.
    /// A path of ours (`/r/DL-…`) as a full address for clients.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    pub fn base_url(&self) -> &str {
        self.public_url.get().map(String::as_str).unwrap_or("http://localhost")
    }

    /// The public origin (`scheme://host[:port]`), which a browser's
    /// `Origin` header must equal on a staff form or call.
    pub fn origin(&self) -> &str {
        let base = self.base_url();
        let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
        match base[after_scheme..].find('/') {
            Some(i) => &base[..after_scheme + i],
            None => base,
        }
    }
}

/// The state as handlers receive it.
pub type Shared = Arc<AppState>;
