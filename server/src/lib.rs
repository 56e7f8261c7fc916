//! `phananh-server`: the district's side of Phản Ánh.
//!
//! - [`routes`]: the HTTP surface (native API, tus uploads, public pages,
//!   staff API, Open311): parse, call a service, render;
//! - [`service`]: what the server does, whoever asks (report intake, photos,
//!   staff's changes);
//! - [`storage`]: the records behind a trait, in the domain's words
//!   ([`storage::SqliteStorage`] by default, [`storage::PgStorage`] for a
//!   province); [`photos`]: photo blobs behind another;
//! - [`auth`], [`staff`]: devices and staff accounts;
//! - [`district`]: units, boundaries, routing rules, working calendar;
//! - [`pages`]: the HTML pages (askama templates in `server/templates/`);
//! - [`coordination`]: what replicas agree on (rate limits, sign-in
//!   back-off, upload claims), in memory or in PostgreSQL;
//! - [`migrate`]: a district's data directory into PostgreSQL and S3;
//! - [`tracking`], [`demo`], [`xml`]: the small parts.

pub mod auth;
pub mod charts;
pub mod coordination;
pub mod demo;
pub mod demo_reports;
pub mod district;
pub mod error;
pub mod export;
pub mod jpeg;
pub mod listen;
pub mod migrate;
pub mod pages;
pub mod photos;
pub mod routes;
pub mod service;
pub mod staff;
pub mod state;
pub mod storage;
pub mod tracking;
pub mod xml;

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

pub use state::{AppState, Config, Shared};

/// Open the data directory: database, photo store, upload directory. The
/// directories are created readable by the server's user alone (0700), the
/// database files 0600: they hold phone numbers and photos.
pub fn open(config: Config) -> anyhow::Result<Shared> {
    private_dir(&config.data_dir)?;
    // Replicas on one PostgreSQL share their limits and claims through it;
    // one process keeps them in memory.
    let (store, shared): (Arc<dyn storage::Storage>, Arc<dyn coordination::Coordination>) = match &config.database {
        Some(url) => {
            let pg = storage::PgStorage::new(url, config.clock.clone())?;
            let shared = Arc::new(pg.coordination());
            (Arc::new(pg), shared)
        }
        None => {
            let db = config.data_dir.join("server.sqlite3");
            private_file(&db)?;
            let sqlite = storage::SqliteStorage::open_with_clock(&db, config.clock.clone())?;
            (Arc::new(sqlite), Arc::new(coordination::Local::default()))
        }
    };
    let photos: Arc<dyn photos::PhotoStore> = match &config.photos {
        Some(location) => {
            // object_store's HTTPS client uses the process's rustls
            // provider: ring, as everywhere in the workspace.
            let _ = rustls::crypto::ring::default_provider().install_default();
            Arc::new(photos::S3Store::new(location)?)
        }
        None => {
            let (root, partial) = (config.data_dir.join("photos"), config.data_dir.join("uploads"));
            private_dir(&root)?;
            private_dir(&partial)?;
            Arc::new(photos::FileStore::new(root, partial)?)
        }
    };
    let district = Arc::new(load_district(&config)?);
    let rules = service::ReportRules {
        district,
        limits: config.limits,
        code_prefix: config.code_prefix.clone(),
        max_photo_bytes: config.max_photo_bytes,
        clock: config.clock.clone(),
    };
    let reports = service::ReportService::new(store.clone(), photos.clone(), rules);
    let decodes = tokio::sync::Semaphore::new(config.decode_concurrency.max(1));
    let public_url = std::sync::OnceLock::new();
    if let Some(url) = &config.public_url {
        let _ = public_url.set(url.trim_end_matches('/').to_owned());
    }
    let claims = coordination::Claims::new(shared.clone(), config.clock.clone());
    Ok(Arc::new(AppState { config, store, photos, reports, claims, shared, public_url, decodes }))
}

/// The district's units, rules and calendar: `--district FILE`, else
/// `DATA/district.toml`, else the district alone (every report to the
/// coordinator).
pub fn load_district(config: &Config) -> anyhow::Result<district::District> {
    let in_data = config.data_dir.join(DISTRICT_FILE);
    let file = config.district_file.clone().or_else(|| in_data.exists().then_some(in_data));
    match file {
        Some(file) => Ok(district::config::load(&file)?),
        None => Ok(district::District::single("DISTRICT", "Ủy ban nhân dân", "People's Committee")),
    }
}

/// The district's configuration in the data directory.
pub const DISTRICT_FILE: &str = "district.toml";

/// Create `dir` (and its parents) and make it 0700.
fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Create `file` empty if missing, 0600 either way, before SQLite opens it
/// (SQLite gives its `-wal` and `-shm` files the database file's mode).
fn private_file(file: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    drop(options.open(file)?);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A database an earlier release left 0644, with its WAL files.
        for suffix in ["", "-wal", "-shm"] {
            let mut name = file.as_os_str().to_owned();
            name.push(suffix);
            let path = std::path::PathBuf::from(name);
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    Ok(())
}

/// Serve until `shutdown` resolves; in-flight requests finish, then the WAL
/// is checkpointed.
pub async fn serve(
    listener: TcpListener,
    state: Shared,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let sweeper = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tick.tick().await;
                match routes::uploads::sweep_expired(&state).await {
                    Ok(n) if n > 0 => tracing::info!(count = n, "expired uploads removed"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(code = e.code, "sweeping expired uploads failed"),
                }
                if let Err(e) = state.shared.tidy(state.now_ms()).await {
                    tracing::warn!(error = %e, "tidying rate limits failed");
                }
            }
        })
    };
    // Reports from before the server knew boundaries get their commune,
    // in the background (the dashboard works meanwhile).
    let placer = {
        let state = state.clone();
        tokio::spawn(async move {
            match state.reports.place_unplaced().await {
                Ok(n) if n > 0 => tracing::info!(count = n, "reports placed in their communes"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "placing reports failed"),
            }
            // Load the overview's figures now, not on the first visitor's
            // request (0.7 s at 200 000 reports).
            if let Err(e) = state.reports.public_stats(None, None).await {
                tracing::warn!(error = %e, "loading the overview's figures failed");
            }
        })
    };
    let addr = listener.local_addr()?;
    let _ = state.public_url.set(format!("http://{addr}"));
    let router = routes::router(state.clone());
    listen::serve(listener, router, state.config.conn, shutdown, Duration::from_secs(30)).await;
    sweeper.abort();
    placer.abort();
    state.store.checkpoint();
    Ok(())
}
