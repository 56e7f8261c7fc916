//! Store benchmarks: the targets are list a page ≤ 2 ms, search ≤ 20 ms and
//! open ≤ 50 ms with 10 000 reports (see docs/benchmarks.md).
//!
//! `cargo bench -p phananh-core --bench store`

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use phananh_core::Store;
use phananh_core::model::{DraftPatch, Location};
use phananh_core::store::ListQuery;

const N: u64 = 10_000;

const TEMPLATES: &[&str] = &[
    "Ổ gà lớn giữa đường liên xã, xe máy dễ ngã",
    "Đèn đường hỏng từ tuần trước, buổi tối rất tối",
    "Rác thải đổ trộm bên bờ kênh, bốc mùi",
    "Ngập úng sau mưa lớn, nước tràn vào nhà dân",
    "Cây đổ chắn ngang đường vào trường học",
    "Cống thoát nước bị tắc, nước bẩn tràn ra ngõ",
];

fn draft(i: u64) -> DraftPatch {
    DraftPatch {
        category: Some(Some(["o_ga", "den_duong", "rac_thai", "ngap_ung", "cay_do", "khac"][(i % 6) as usize].into())),
        description: Some(format!("{} (thôn {}, hộ số {i})", TEMPLATES[(i % 6) as usize], i % 37)),
        location: Some(Some(Location {
            lat: 18.8 + (i % 250) as f64 * 0.001,
            lon: 105.2 + (i % 200) as f64 * 0.001,
            accuracy_m: Some(8.0),
        })),
        address: Some(Some(format!("Xóm {}, xã Đà Sơn", i % 12))),
        ..Default::default()
    }
}

/// A home with 10 000 reports, made once and reused by every benchmark.
fn fixture(home: &Path) {
    let store = Store::open_in(home).expect("open");
    let started = Instant::now();
    for i in 0..N {
        store.create_draft(&draft(i)).expect("insert");
    }
    let took = started.elapsed();
    eprintln!(
        "inserted {N} drafts one transaction each (synchronous=FULL): {:.2?} total, {:.0} µs per draft",
        took,
        took.as_secs_f64() * 1e6 / N as f64
    );
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    fixture(dir.path());
    // Writes go to a copy, so the read benchmarks below see exactly 10 000.
    let scratch = tempfile::tempdir().expect("tempdir");
    fixture(scratch.path());
    let store = Store::open_in(scratch.path()).expect("open");
    c.bench_function("insert one draft into 10k (autosave commit)", |b| {
        let mut i = N;
        b.iter(|| {
            i += 1;
            black_box(store.create_draft(&draft(i)).expect("insert"));
        })
    });
    c.bench_function("update one field (autosave)", |b| {
        let id = store.list(&ListQuery { limit: 1, ..Default::default() }).expect("list").items[0].id;
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            store
                .update_draft(
                    id,
                    &DraftPatch {
                        description: Some(format!("Mô tả đã sửa lần thứ {i}")), ..Default::default()
                    },
                )
                .expect("update")
        })
    });
    drop(store);

    let store = Store::open_in(dir.path()).expect("open");
    c.bench_function("list page of 50 from 10k", |b| {
        b.iter(|| black_box(store.list(&ListQuery { limit: 50, ..Default::default() }).expect("list")))
    });
    c.bench_function("list page of 50 at offset 5000 from 10k", |b| {
        b.iter(|| black_box(store.list(&ListQuery { limit: 50, offset: 5000, ..Default::default() }).expect("list")))
    });
    c.bench_function("list page of 50 by state and category", |b| {
        b.iter(|| {
            black_box(
                store.list(&ListQuery { category: Some("den_duong".into()), ..Default::default() }).expect("list"),
            )
        })
    });
    c.bench_function("search 'den' (accent-free, common) page of 50", |b| {
        b.iter(|| {
            black_box(store.list(&ListQuery { search: Some("den".into()), ..Default::default() }).expect("search"))
        })
    });
    c.bench_function("search 'ho so 9999' (rare, scans all 10k)", |b| {
        b.iter(|| {
            let page =
                store.list(&ListQuery { search: Some("ho so 9999".into()), ..Default::default() }).expect("search");
            assert_eq!(page.items.len(), 1);
            black_box(page)
        })
    });
    drop(store);
    c.bench_function("open a 10k-report database", |b| b.iter(|| black_box(Store::open_in(dir.path()).expect("open"))));
}

criterion_group! {
    name = store;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(store);
