//! A child process for the crash-safety test: writes drafts, attaches a
//! photo, submits, forever, announcing each commit on stdout. The test
//! kills it with SIGKILL at random moments and checks what it announced.

use std::io::Write;
use std::path::PathBuf;

use phananh_core::Store;
use phananh_core::model::{Photo, PhotoId};
use phananh_e2e::{crash_draft, crash_photo_bytes};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(home), Some(start)) = (args.next(), args.next().and_then(|s| s.parse::<u64>().ok())) else {
        eprintln!("usage: crash-writer HOME START_SEQ");
        std::process::exit(2);
    };
    let store = match Store::open_in(&PathBuf::from(home)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("open: {e}");
            std::process::exit(1);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for seq in start.. {
        if let Err(e) = step(&store, seq, &mut out) {
            eprintln!("seq {seq}: {e}");
            std::process::exit(1);
        }
    }
}

fn step(store: &Store, seq: u64, out: &mut impl Write) -> Result<(), Box<dyn std::error::Error>> {
    let report = store.create_draft(&crash_draft(seq))?;
    writeln!(out, "draft {seq} {}", report.id)?;
    out.flush()?;

    let id = PhotoId::new();
    let file = format!("{id}.jpg");
    let bytes = crash_photo_bytes(seq);
    std::fs::write(store.photo_path(&file), &bytes)?;
    let photo = Photo {
        id,
        file,
        thumb_file: None,
        sha256: format!("{seq:064x}"),
        bytes: bytes.len() as u64,
        width: 1,
        height: 1,
    };
    store.add_photo(report.id, &photo)?;
    writeln!(out, "photo {seq} {}", report.id)?;
    out.flush()?;

    store.submit(report.id)?;
    writeln!(out, "queued {seq} {}", report.id)?;
    out.flush()?;
    Ok(())
}
