//! Any bytes into the photo pipeline: a typed error or a photo, never a
//! panic that escapes (decoder panics are caught and become `Corrupt`), and
//! never an allocation past the limits.
//!
//! Run: see docs/fuzzing.md.

#![no_main]

use libfuzzer_sys::fuzz_target;
use phananh_core::photo::{Options, compress};

fuzz_target!(
    init: {
        // A panic the pipeline catches is handled, not a crash: keep the
        // default hook quiet so only an escaping panic stops the run.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| {
        // Small limits keep each run fast; the header checks are the same code.
        let options = Options { max_edge: 256, thumb_edge: 64, max_pixels: 4_000_000, max_side: 4096, ..Options::default() };
        if let Ok(out) = compress(data, &options) {
            assert!(out.width.max(out.height) <= 256);
            assert!(out.jpeg.starts_with(&[0xFF, 0xD8]));
        }
    }
);
