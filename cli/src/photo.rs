//! `phananh photo …`: the app's photo pipeline on files.

use phananh_core::photo::{self, Options, PhotoError, Suggestion};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

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
            "suggestion": suggestion_json(&compressed.suggestion),
        }));
    } else {
        println!(
            "{}×{}  {} KB  ({} {}×{})",
            compressed.width,
            compressed.height,
            compressed.jpeg.len().div_ceil(1024),
            out.t("từ", "from"),
            compressed.source_width,
            compressed.source_height
        );
        print_suggestion(&compressed.suggestion, out);
    }
    Ok(())
}

/// `{"lat", "lon", "taken_at"}` or null.
pub fn suggestion_json(s: &Suggestion) -> Value {
    if s.is_empty() {
        return Value::Null;
    }
    json!({
        "lat": s.position.map(|p| p.0),
        "lon": s.position.map(|p| p.1),
        "taken_at": s.taken_at.and_then(|t| t.format(&Rfc3339).ok()),
    })
}

pub fn print_suggestion(s: &Suggestion, out: &Out) {
    if let Some((lat, lon)) = s.position {
        println!("{} {lat:.6}, {lon:.6}", out.t("Vị trí GPS trong ảnh:", "GPS position in the photo:"));
    }
    if let Some(t) = s.taken_at.and_then(|t| t.format(&Rfc3339).ok()) {
        println!("{} {t}", out.t("Chụp lúc:", "Taken at:"));
    }
}
