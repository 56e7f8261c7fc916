//! Sync through the fault proxy playing a rural link: rates each way, a
//! delay, blackouts that reset every connection. Whatever the link does,
//! every report reaches the server exactly once with every photo whole, and
//! nothing is sent twice beyond what a blackout cut (the server keeps the
//! part of a cut chunk that arrived).

use std::time::Duration;

use phananh_e2e::harness::{Phone, Server, assert_server_has_exactly, queue_report};
use phananh_e2e::proxy::{FaultProxy, Link};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_arrives_once_and_whole_through_blackouts() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let proxy = FaultProxy::start(server.addr).await.unwrap();
    // A quick rural link (the benchmark plays the real one, see
    // docs/benchmarks.md): 4 Mbit/s up, 8 down, 40 ms each way, a 0.8 s
    // blackout about every 2.5 s.
    proxy.set_link(Link {
        up_bps: 4_000_000,
        down_bps: 8_000_000,
        delay: Duration::from_millis(40),
        blackout_every: Duration::from_millis(2500),
        blackout_for: Duration::from_millis(800),
        seed: 19,
    });
    // The phone as shipped (chunks sized to the link, dead links probed),
    // with the probe and the backoff shortened for a test.
    let phone = Phone::with(&proxy.url(), |c| {
        c.chunk_size = 64 * 1024;
        c.chunk_min = 32 * 1024;
        c.chunk_max = 1024 * 1024;
        c.backoff.probe_base = Duration::from_millis(200);
        c.backoff.probe_cap = Duration::from_secs(1);
    });
    let ids: Vec<_> = (0..3).map(|n| queue_report(phone.store(), n, 2)).collect();
    let payload: u64 =
        ids.iter().map(|id| phone.store().get(*id).unwrap().photos.iter().map(|p| p.bytes).sum::<u64>()).sum();
    phone.sync_until_empty(200).await;
    assert_server_has_exactly(&server, phone.store(), &ids);
    assert!(proxy.blackout_resets() > 0, "the link reset connections on the way");
    // Each photo's first chunk rides with its upload's creation (one round
    // trip less); what a blackout cuts goes on by PATCH from the server's
    // offset.
    let creations = proxy.count("POST /api/v1/reports/");
    assert!(creations >= ids.len() * 2, "{creations} creations for {} photos", ids.len() * 2);
    // What went up: the photos, the reports, the requests' headers, and what
    // the blackouts cut (kept by the server: chunks carry no checksum).
    let up = proxy.up_bytes();
    assert!(up < payload * 3 / 2, "{up} bytes went up for {payload} bytes of photos");
    // The phone's own count of the data it used: each report at least its
    // photos, and the month's total near what the link carried.
    let store = phone.store();
    for id in &ids {
        let photos: u64 = store.get(*id).unwrap().photos.iter().map(|p| p.bytes).sum();
        let used = store.data_used_by(*id).unwrap();
        assert!(used >= photos && used < photos * 2, "report {id}: {used} bytes counted for {photos} of photos");
    }
    let month = store.data_used_in(&store.this_month()).unwrap();
    let carried = up + proxy.down_bytes();
    assert!(month * 10 >= carried * 7 && month * 10 <= carried * 13, "counted {month}, the link carried {carried}");
}
