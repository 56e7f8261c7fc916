//! `phananh photo …`: the app's photo pipeline on files.

use phananh_core::app::PhotoSuggestion;
use phananh_core::photo::{self, Options, PhotoError};
use phananh_core::protocol::vn_time;
use phananh_core::ui_text::location_label;
use serde_json::{Value, json};

use crate::args::PhotoCommand;
use crate::output::Out;

pub fn run(cmd: PhotoCommand, out: &Out) -> Result<(), phananh_core::Error> {
    let PhotoCommand::Compress { input, output, max_edge, quality, thumbnail } = cmd;
    let options = Options { max_edge, quality, ..Options::default() };
    let compressed = photo::compress_file(&input, &options)?;
    let write = |path: &std::path::Path, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|source| PhotoError::Io { path: path.to_owned(), source })
    };
    write(&output, &compressed.jpeg)?;
    if let Some(path) = &thumbnail {
        write(path, &compressed.thumbnail)?;
    }
    if out.json {
        out.json(&json!({
            "width": compressed.width,
            "height": compressed.height,
            "bytes": compressed.jpeg.len(),
            "thumbnail_bytes": compressed.thumbnail.len(),
            "source": {
                "format": compressed.source_format,
                "width": compressed.source_width,
                "height": compressed.source_height,
            },
            "suggestion": suggestion_json(&(&compressed.suggestion).into()),
        }));
    } else {
        println!(
            "{}×{}  {}  ({} {}×{})",
            compressed.width,
            compressed.height,
            phananh_core::app::size_label(compressed.jpeg.len() as u64),
            out.t("từ", "from"),
            compressed.source_width,
            compressed.source_height
        );
        print_suggestion(&(&compressed.suggestion).into(), out);
    }
    Ok(())
}

/// `{"lat", "lon", "taken_at"}` (RFC 3339) or null.
pub fn suggestion_json(s: &PhotoSuggestion) -> Value {
    if s.location.is_none() && s.taken_at_ms.is_none() {
        return Value::Null;
    }
    let taken_at = s.taken_at_ms.map(vn_time::rfc3339);
    json!({ "lat": s.location.map(|p| p.lat), "lon": s.location.map(|p| p.lon), "taken_at": taken_at })
}

pub fn print_suggestion(s: &PhotoSuggestion, out: &Out) {
    if let Some(p) = s.location {
        let label = location_label(p.lat, p.lon, None, out.lang);
        println!("{} {label}", out.t("Vị trí GPS trong ảnh:", "GPS position in the photo:"));
    }
    if let Some(ms) = s.taken_at_ms {
        println!("{} {}", out.t("Chụp lúc:", "Taken at:"), vn_time::format_ms(ms));
    }
}
