//! The PNG and WebP paths of the photo pipeline: the first byte picks the
//! format and the rest follows its signature, so every run reaches the
//! decoder. A typed error or a photo, within the decode budget (libFuzzer's
//! `-malloc_limit_mb` enforces it), never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use phananh_core::photo::{Options, compress};

fuzz_target!(
    init: {
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| {
        let Some((&which, rest)) = data.split_first() else { return };
        let mut input = Vec::with_capacity(rest.len() + 16);
        if which % 2 == 0 {
            input.extend_from_slice(b"\x89PNG\r\n\x1a\n");
        } else {
            input.extend_from_slice(b"RIFF");
            input.extend_from_slice(&(rest.len() as u32 + 4).to_le_bytes());
            input.extend_from_slice(b"WEBP");
        }
        input.extend_from_slice(rest);
        let options = Options { max_edge: 256, thumb_edge: 64, max_decode_bytes: 32 << 20, ..Options::default() };
        if let Ok(out) = compress(&input, &options) {
            assert!(out.width.max(out.height) <= 256);
        }
    }
);
