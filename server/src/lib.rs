//! `phananh-server`: the district's side of Phản Ánh.
//!
//! - [`routes`]: the HTTP surface (native API, tus uploads, public pages, staff API);
//! - [`storage`]: the records behind a trait ([`storage::SqliteStorage`] on
//!   [`db`]); [`photos`]: photo blobs behind another;
//! - [`auth`], [`staff`]: devices and staff accounts;
//! - [`ratelimit`], [`tracking`], [`demo`], [`html`]: the small parts.

pub mod auth;
pub mod db;
pub mod demo;
pub mod error;
pub mod html;
pub mod jpeg;
pub mod photos;
pub mod ratelimit;
pub mod routes;
pub mod staff;
pub mod state;
pub mod storage;
pub mod tracking;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

pub use state::{AppState, Config, Shared};

/// Open the data directory: database, photo store, upload directory.
pub fn open(config: Config) -> anyhow::Result<Shared> {
    std::fs::create_dir_all(&config.data_dir)?;
    let store = Arc::new(storage::SqliteStorage::open(&config.data_dir.join("server.sqlite3"))?);
    let photos = Arc::new(photos::FileStore::new(config.data_dir.join("photos"))?);
    let upload_dir = config.data_dir.join("uploads");
    std::fs::create_dir_all(&upload_dir)?;
    Ok(Arc::new(AppState { config, store, photos, upload_dir, limiter: Default::default() }))
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
            }
        })
    };
    let app = routes::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    sweeper.abort();
    state.store.checkpoint();
    Ok(())
}
