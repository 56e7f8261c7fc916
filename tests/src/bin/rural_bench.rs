//! Sync over an emulated rural link (issue 19): five reports with two
//! photos each, through the fault proxy playing `Link::rural_3g` and
//! `Link::harsh`, with the phone's default settings and its real sync loop.
//! Prints the delivery time against the link's ideal (the photos' air time
//! stretched by the blackouts) and the bytes that went up against the
//! photos' bytes.
//!
//! `cargo run --release -p phananh-e2e --bin rural-bench [-- SEED]`
//! (`RURAL_IN_FLIGHT=N`: reports sent at once, instead of the default;
//! `RURAL_TIMELINE=1`: print the link's timeline — requests, answers,
//! connections, blackouts — to see where the time over the ideal went;
//! `RURAL_ONLY=rural|harsh`: one of the two links)

use std::sync::Arc;
use std::time::{Duration, Instant};

use phananh_core::Store;
use phananh_core::sync::{MemorySecretStore, NoListener, SyncConfig, Syncer};
use phananh_e2e::harness::{Server, queue_report};
use phananh_e2e::proxy::{FaultProxy, Link};

fn main() {
    let seed: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(19);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        println!("# rural link bench: 5 reports × 2 photos, seed {seed}");
        let only = std::env::var("RURAL_ONLY").ok();
        for (name, link) in [("rural 3G", Link::rural_3g(seed)), ("harsh", Link::harsh(seed))] {
            if only.as_deref().is_none_or(|o| name.starts_with(o)) {
                run(name, link).await;
            }
        }
    });
}

async fn run(name: &str, link: Link) {
    let data = tempfile::tempdir().expect("dir");
    let server = Server::start(data.path()).await;
    let proxy = FaultProxy::start(server.addr).await.expect("proxy");
    let home = tempfile::tempdir().expect("home");
    let store = Arc::new(Store::open_in(home.path()).expect("store"));
    let ids: Vec<_> = (0..5).map(|n| queue_report(&store, n, 2)).collect();
    let payload: u64 =
        ids.iter().map(|id| store.get(*id).expect("report").photos.iter().map(|p| p.bytes).sum::<u64>()).sum();
    let mut config = SyncConfig::new(proxy.url());
    if let Some(n) = std::env::var("RURAL_IN_FLIGHT").ok().and_then(|v| v.parse().ok()) {
        config.max_in_flight = n;
    }
    let syncer = Syncer::new(store.clone(), Arc::new(MemorySecretStore::default()), config).expect("syncer");
    let ideal = link.ideal_up(payload);
    let up_bps = link.up_bps;
    proxy.set_link(link);
    let started = Instant::now();
    let handle = syncer.run(Arc::new(NoListener));
    while store.outbox_len().expect("outbox") > 0 {
        if started.elapsed() > Duration::from_secs(1800) {
            println!("{name}: did not finish in 30 minutes");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = started.elapsed();
    handle.stop().await;
    let up = proxy.up_bytes();
    if std::env::var_os("RURAL_TIMELINE").is_some() {
        let (events, blackouts) = proxy.timeline();
        for (from, to) in &blackouts {
            println!("  blackout {:7.2} – {:7.2}", from.as_secs_f64(), to.as_secs_f64());
        }
        for (at, what) in events {
            println!("  {:7.2} {what}", at.as_secs_f64());
        }
    }
    println!(
        "{name}: {:.2} MB of photos in {:.1} s, ideal {:.1} s: {:.2}× ideal; {:.2} MB up: {:.2}× the photos ({:.1} s on the air); {} connections reset by blackouts, {} PATCHes",
        payload as f64 / 1e6,
        took.as_secs_f64(),
        ideal.as_secs_f64(),
        took.as_secs_f64() / ideal.as_secs_f64(),
        up as f64 / 1e6,
        up as f64 / payload as f64,
        up as f64 * 8.0 / up_bps as f64,
        proxy.blackout_resets(),
        proxy.count("PATCH /api/v1/uploads/"),
    );
}
