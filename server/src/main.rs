//! `phananh-server`: the reference server. Only a placeholder until the
//! server issue; it says so instead of pretending to serve.

fn main() {
    eprintln!(
        "phananh-server {} is not built yet; only the app side (phananh) works for now",
        env!("CARGO_PKG_VERSION")
    );
    std::process::exit(2);
}
