//! A fresh prefix per test, in one bucket, on the S3-compatible server `.ci/run` starts
//! (SeaweedFS, `PHANANH_S3_ENDPOINT`). Outside CI, without that variable,
//! tests that need it say so loudly and pass without it; in CI its absence
//! fails them.

use phananh_server::photos::s3::S3Location;

/// A new, empty place in the tests' bucket; `None` (after a loud message) when no server is
/// configured outside CI.
pub async fn fresh_bucket(test: &str) -> Option<S3Location> {
    let Ok(endpoint) = std::env::var("PHANANH_S3_ENDPOINT") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the S3 tests: PHANANH_S3_ENDPOINT is unset (.ci/run starts SeaweedFS and sets it)"
        );
        eprintln!(
            "\n*** SKIPPED {test}: PHANANH_S3_ENDPOINT is unset. Start an S3 server \
             (cargo xtask s3) and set it to run it. ***\n"
        );
        return None;
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    // One bucket, a fresh prefix per test: SeaweedFS gives each bucket
    // volumes of its own, and a bucket per test would use them up.
    let r = reqwest::Client::new().put(format!("{endpoint}/{BUCKET}")).send().await.expect("the S3 server answers");
    // Unsigned: the test server has no identities configured. 409: there already.
    assert!(r.status().is_success() || r.status() == 409, "creating bucket {BUCKET}: {}", r.status());
    let prefix = format!("t-{}", uuid::Uuid::now_v7().simple());
    Some(S3Location::parse(&format!("s3://{BUCKET}/{prefix}?endpoint={endpoint}")).unwrap())
}

/// The tests' bucket.
const BUCKET: &str = "phananh-tests";
