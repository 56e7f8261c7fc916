//! One replica of the server as its own process, for tests that kill one
//! with SIGKILL: `replica DATABASE_URL S3_URL DISTRICT_FILE DATA_DIR`.
//! Prints `listening on http://ADDR` once it serves.

use phananh_server::photos::s3::S3Location;
use phananh_server::{Config, demo};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [database, photos, district, data] = args.as_slice() else {
        eprintln!("usage: replica DATABASE_URL S3_URL DISTRICT_FILE DATA_DIR");
        std::process::exit(2);
    };
    let mut config = Config::new(data.into());
    config.database = Some(database.clone());
    config.photos = Some(S3Location::parse(photos).expect("S3 URL"));
    config.district_file = Some(district.into());
    config.trusted_proxies = vec![std::net::Ipv4Addr::LOCALHOST.into()];
    config.creates_per_minute = 100_000;
    config.uploads_per_minute = 100_000;
    config.ip_creates_per_minute = 0;
    let state = phananh_server::open(config).expect("opens");
    demo::seed(state.store.as_ref()).await.expect("seed");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("port");
    println!("listening on http://{}", listener.local_addr().expect("addr"));
    phananh_server::serve(listener, state, std::future::pending()).await.expect("serves");
}
