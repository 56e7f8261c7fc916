//! Helpers shared by the end-to-end tests and their child processes: the
//! fault proxy, the in-process server harness, and the crash writer's data.

pub mod cluster;
pub mod harness;
pub mod proxy;

use phananh_core::model::{DraftPatch, Location};

/// The description the crash writer gives its `seq`-th draft, so the test
/// can check every committed draft is intact.
pub fn crash_description(seq: u64) -> String {
    format!("Báo cáo thử số {seq}: ổ gà sâu giữa đường liên thôn, đi lại nguy hiểm")
}

/// The complete draft the crash writer makes for `seq`.
pub fn crash_draft(seq: u64) -> DraftPatch {
    DraftPatch {
        category: Some(Some("o_ga".into())),
        description: Some(crash_description(seq)),
        location: Some(Some(Location { lat: 18.9 + seq as f64 * 1e-6, lon: 105.3, accuracy_m: Some(5.0) })),
        reporter_phone: Some(Some("0912345678".into())),
        ..Default::default()
    }
}

/// The bytes of the crash writer's photo for `seq`.
pub fn crash_photo_bytes(seq: u64) -> Vec<u8> {
    format!("not really a jpeg, number {seq}").repeat(64).into_bytes()
}

/// The `seq` a [`crash_description`] was made from.
pub fn crash_seq(description: &str) -> Option<u64> {
    description.split_once("số ")?.1.split_once(':')?.0.parse().ok()
}
