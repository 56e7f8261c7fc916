//! A throw-away PostgreSQL database per test, on the server `.ci/run`
//! starts (`PHANANH_PG_URL`). Outside CI, without that variable, tests that
//! need it say so loudly and pass without it; in CI its absence fails them.

use tokio_postgres::NoTls;

/// A new, empty database's URL; `None` (after a loud message) when no
/// server is configured outside CI.
pub async fn fresh_database(test: &str) -> Option<String> {
    let Ok(url) = std::env::var("PHANANH_PG_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the PostgreSQL tests: PHANANH_PG_URL is unset (.ci/run starts a server and sets it)"
        );
        eprintln!(
            "\n*** SKIPPED {test}: PHANANH_PG_URL is unset. Start PostgreSQL and set it \
             (e.g. postgres://phananh@127.0.0.1:54329/postgres) to run it. ***\n"
        );
        return None;
    };
    let (client, connection) = tokio_postgres::connect(&url, NoTls).await.expect("PHANANH_PG_URL answers");
    tokio::spawn(connection);
    let name = format!("phananh_test_{}", uuid::Uuid::now_v7().simple());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    Some(with_database(&url, &name))
}

/// `url` with its database replaced by `name` (its query kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..].find('/').map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}
