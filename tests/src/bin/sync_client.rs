//! A child process for the sync crash test: the app's sync, as the CLI runs
//! it (the store, a token file, `sync_once` until the outbox is empty). The
//! test kills it with SIGKILL at random moments and starts it again.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use phananh_core::Store;
use phananh_core::sync::{FileSecretStore, SyncConfig, Syncer};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(home), Some(server)) = (args.next(), args.next()) else {
        eprintln!("usage: sync-client HOME SERVER_URL");
        std::process::exit(2);
    };
    let home = PathBuf::from(home);
    let code = match run(&home, &server) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("sync-client: {e}");
            1
        }
    };
    std::process::exit(code);
}

fn run(home: &std::path::Path, server: &str) -> Result<(), phananh_core::Error> {
    let store = Arc::new(Store::open_in(home)?);
    let mut config = SyncConfig::new(server);
    config.backoff.base = Duration::from_millis(50);
    config.backoff.cap = Duration::from_secs(1);
    config.chunk_size = 256 * 1024;
    config.chunk_min = config.chunk_size;
    config.chunk_max = config.chunk_size;
    let syncer = Syncer::new(store, Arc::new(FileSecretStore::new(home.join("secrets.json"))), config)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| phananh_core::Error::Config(e.to_string()))?;
    rt.block_on(async {
        loop {
            let summary = syncer.sync_once().await?;
            if summary.waiting == 0 {
                println!("done");
                return Ok(());
            }
            let wait = summary
                .next_attempt_at_ms
                .map(|at| {
                    (at - phananh_core::protocol::vn_time::ms(time::OffsetDateTime::now_utc())).clamp(0, 5_000) as u64
                })
                .unwrap_or(100);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
    })
}
