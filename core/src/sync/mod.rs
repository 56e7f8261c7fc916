//! Sync: every queued report reaches the server exactly once, photos resume
//! where they stopped, statuses come back.
//!
//! - [`Syncer::sync_once`]: one pass — refresh categories, push the outbox
//!   (report text first, then each photo by tus), pull status changes;
//! - [`Syncer::run`]: the long-running loop the shells start, woken by new
//!   work, connectivity and backoff timers, stopped by its handle;
//! - [`tus`]: the resumable-upload client, usable against any tus server;
//! - [`SecretStore`]: where the device token lives.
//!
//! Every step is recorded in the [`Store`] before the request it leads to
//! and its success after the server's 2xx (see `store::outbox`), so a
//! process killed anywhere picks up where it was, and the server's
//! idempotent `PUT` and `Idempotency-Key` make a repeated step harmless.

mod api;
mod backoff;
mod events;
mod follow;
mod http;
mod lock;
mod meter;
mod nearby;
pub mod pace;
mod pull;
mod push;
mod runner;
mod secret;
mod status;
pub mod tus;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::Notify;

pub use api::normalize_server_url;
pub use backoff::{Backoff, parse_retry_after};
pub use events::{NoListener, SyncEvent, SyncListener, SyncSummary};
pub use http::{Failure, client as http_client};
pub use nearby::NEARBY_RADIUS_M;
pub use push::report_body;
pub(crate) use push::status_entry;
pub use runner::SyncHandle;
pub use secret::{FileSecretStore, MemorySecretStore, SecretStore};
pub use status::SyncStatus;

use crate::error::{Error, Result};
use crate::{Lang, Store};
use api::Api;

/// How the sync talks to the server.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// The server, e.g. `https://phananh.doluong.gov.vn` or, for testers on
    /// an Android emulator, `http://10.0.2.2:8080`.
    pub server_url: String,
    /// Language of the server's messages.
    pub lang: Lang,
    /// Reports sent at the same time.
    pub max_in_flight: usize,
    /// The first tus `PATCH`'s size; later ones are sized to the link
    /// (see [`pace::Pace`]) between `chunk_min` and `chunk_max`.
    pub chunk_size: usize,
    /// The smallest chunk (request overhead would dominate below it).
    pub chunk_min: usize,
    /// The largest chunk (what one reset may cost).
    pub chunk_max: usize,
    /// How long one chunk should take on the measured link: about what a
    /// dropped connection loses.
    pub chunk_time: Duration,
    /// Retry timing.
    pub backoff: Backoff,
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Longest silence while reading an answer.
    pub read_timeout: Duration,
    /// How often the loop pulls status changes when nothing else wakes it.
    pub pull_interval: Duration,
    /// Added to the `User-Agent` (e.g. `Android 14`).
    pub user_agent_suffix: Option<String>,
}

impl SyncConfig {
    /// Defaults for a phone on 3G talking to `server_url`.
    pub fn new(server_url: impl Into<String>) -> SyncConfig {
        SyncConfig {
            server_url: server_url.into(),
            lang: Lang::default(),
            max_in_flight: 2,
            chunk_size: 64 * 1024,
            chunk_min: 32 * 1024,
            chunk_max: 1024 * 1024,
            chunk_time: Duration::from_millis(1500),
            backoff: Backoff::default(),
            connect_timeout: Duration::from_secs(20),
            read_timeout: Duration::from_secs(60),
            pull_interval: Duration::from_secs(15 * 60),
            user_agent_suffix: None,
        }
    }

    fn user_agent(&self) -> String {
        let mut ua = format!("PhanAnh/{} ({})", crate::VERSION, std::env::consts::OS);
        if let Some(s) = &self.user_agent_suffix {
            ua.push_str(&format!(" {s}"));
        }
        ua
    }
}

/// The sync engine for one store and one server. Cheap to clone; clones
/// share everything.
#[derive(Clone)]
pub struct Syncer {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Store>,
    api: Api,
    secrets: Arc<dyn SecretStore>,
    config: SyncConfig,
    lang: RwLock<Lang>,
    online: AtomicBool,
    wake: Notify,
    listener: RwLock<Arc<dyn SyncListener>>,
    /// What the passes are doing, for [`Syncer::status`].
    activity: Mutex<status::Activity>,
    /// One pass at a time.
    pass: tokio::sync::Mutex<()>,
    /// One registration at a time.
    register: tokio::sync::Mutex<()>,
    /// Whether the server takes per-chunk sha256 checksums (asked once).
    tus_checksums: tokio::sync::OnceCell<bool>,
    /// A whole photo arrived damaged once: chunks carry checksums from
    /// then on (see [`Syncer::tus`]).
    damage_seen: AtomicBool,
    /// When a dead link is probed next (one schedule for all reports).
    probe: Mutex<backoff::Probe>,
    /// Photos whose upload this engine has tried to create (the first try
    /// carries the first chunk; see `push.rs`).
    created: Mutex<std::collections::HashSet<crate::model::PhotoId>>,
    /// When a pass last checked the categories (store clock, ms; 0: never).
    services_checked_ms: std::sync::atomic::AtomicI64,
    /// The link as measured by the uploads, shared by them.
    pace: Arc<Mutex<pace::Pace>>,
    /// Chunks cut by a dropped link, for the data meter (see [`tus::TusClient`]).
    cut_chunks: Arc<Mutex<std::collections::HashMap<reqwest::Url, (u64, u64)>>>,
}

impl std::fmt::Debug for Syncer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syncer").field("server", &self.inner.api.base.as_str()).finish_non_exhaustive()
    }
}

impl Syncer {
    /// A sync engine. Fails only if the server URL is not an http(s) URL.
    pub fn new(store: Arc<Store>, secrets: Arc<dyn SecretStore>, config: SyncConfig) -> Result<Syncer> {
        let http = http::client(&config.user_agent(), config.connect_timeout, config.read_timeout)?;
        let api = Api::new(http, &config.server_url)?;
        Ok(Syncer {
            inner: Arc::new(Inner {
                store,
                api,
                secrets,
                lang: RwLock::new(config.lang),
                online: AtomicBool::new(true),
                wake: Notify::new(),
                listener: RwLock::new(Arc::new(NoListener)),
                activity: Mutex::new(status::Activity::default()),
                pass: tokio::sync::Mutex::new(()),
                register: tokio::sync::Mutex::new(()),
                tus_checksums: tokio::sync::OnceCell::new(),
                damage_seen: AtomicBool::new(false),
                cut_chunks: Default::default(),
                probe: Default::default(),
                services_checked_ms: Default::default(),
                created: Default::default(),
                pace: Arc::new(Mutex::new(pace::Pace::new(
                    config.chunk_size,
                    config.chunk_min,
                    config.chunk_max,
                    config.chunk_time,
                ))),
                config,
            }),
        })
    }

    /// The store this engine sends from.
    pub fn store(&self) -> &Arc<Store> {
        &self.inner.store
    }

    /// The server's base URL.
    pub fn server_url(&self) -> &str {
        self.inner.api.base.as_str()
    }

    /// Send events to `listener` from now on.
    pub fn set_listener(&self, listener: Arc<dyn SyncListener>) {
        *self.inner.listener.write().unwrap_or_else(|p| p.into_inner()) = listener;
    }

    /// Ask the server for messages in `lang` from now on.
    pub fn set_lang(&self, lang: Lang) {
        *self.inner.lang.write().unwrap_or_else(|p| p.into_inner()) = lang;
    }

    pub(crate) fn lang(&self) -> Lang {
        *self.inner.lang.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn emit(&self, event: SyncEvent) {
        self.inner.activity.lock().unwrap_or_else(|p| p.into_inner()).on(&event);
        let listener = self.inner.listener.read().unwrap_or_else(|p| p.into_inner()).clone();
        listener.on_event(event);
    }

    /// The shell's word on connectivity. Coming back online makes every
    /// waiting report due at once (the failures were probably the link)
    /// and wakes the loop.
    pub fn set_online(&self, online: bool) {
        let was = self.inner.online.swap(online, Ordering::SeqCst);
        self.inner.activity.lock().unwrap_or_else(|p| p.into_inner()).set_online(online);
        if online && !was {
            if let Err(e) = self.inner.store.retry_all_now() {
                tracing::warn!(error = %e, "could not reset retry timers");
            }
            self.wake();
        }
    }

    /// The outbox in one line for the UI (sending with progress, offline,
    /// waiting, all sent), in the current language.
    pub fn status(&self) -> Result<SyncStatus> {
        let waiting = self.inner.store.outbox_len()?;
        Ok(self.inner.activity.lock().unwrap_or_else(|p| p.into_inner()).status(waiting, self.lang()))
    }

    /// Whether the shell last said we are online.
    pub fn is_online(&self) -> bool {
        self.inner.online.load(Ordering::SeqCst)
    }

    /// New work: wake the loop now.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Submit a draft (see [`Store::submit`]), tell the listener and wake
    /// the loop.
    pub fn submit(&self, id: crate::model::ReportId) -> Result<crate::model::Report> {
        let report = self.inner.store.submit(id)?;
        self.emit(SyncEvent::ReportQueued { id });
        self.wake();
        Ok(report)
    }

    /// Run blocking store work off the async threads.
    pub(crate) async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| Error::Corrupt(format!("a store task failed: {e}")))?
    }

    /// A lock file next to the store's database.
    fn lock_path(&self, what: &str) -> std::path::PathBuf {
        let db = self.inner.store.path();
        let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        db.with_file_name(format!("{name}.{what}.lock"))
    }

    fn token_key(&self) -> String {
        format!("device_token {}", self.inner.api.base.as_str().trim_end_matches('/'))
    }

    /// The device token, registering first if there is none.
    async fn token(&self) -> std::result::Result<String, Failure> {
        let key = self.token_key();
        let secrets = self.inner.secrets.clone();
        if let Some(t) = secrets.get(&key)? {
            return Ok(t);
        }
        let _once = self.inner.register.lock().await;
        // Another process on this home (the background job, a second CLI
        // run) may be registering right now: wait for it, then read again.
        let _across = lock::acquire(self.lock_path("register")).await?;
        if let Some(t) = secrets.get(&key)? {
            return Ok(t);
        }
        let registered = self.inner.api.register(self.lang()).await?;
        secrets.set(&key, &registered.token)?;
        tracing::info!("device registered");
        Ok(registered.token)
    }

    /// Whether a token is stored already.
    fn has_token(&self) -> Result<bool> {
        Ok(self.inner.secrets.get(&self.token_key())?.is_some())
    }

    /// Run `call` with the token; on 401 register again once and retry.
    ///
    /// `call` makes an owned future from the token (an async closure would
    /// not be `Send` here).
    async fn authed<T, F, Fut>(&self, call: F) -> std::result::Result<T, Failure>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = std::result::Result<T, Failure>>,
    {
        let token = self.token().await?;
        match call(token.clone()).await {
            Err(Failure::Unauthorized) => {
                {
                    let _once = self.inner.register.lock().await;
                    // Another task may have re-registered already.
                    if self.inner.secrets.get(&self.token_key())?.as_deref() == Some(token.as_str()) {
                        self.inner.secrets.remove(&self.token_key())?;
                    }
                }
                let fresh = self.token().await?;
                match call(fresh).await {
                    Err(Failure::Unauthorized) => Err(Failure::Rejected {
                        status: 401,
                        code: "unauthorized".into(),
                        message: self
                            .lang()
                            .pick("Máy chủ không chấp nhận thiết bị này", "The server does not accept this device")
                            .into(),
                    }),
                    other => other,
                }
            }
            other => other,
        }
    }
}
