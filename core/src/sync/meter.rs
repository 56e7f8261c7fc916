//! What the sync sends and receives, counted per request as HTTP/1.1
//! carries it (request line, headers, body; status line, headers, body —
//! TLS adds a few percent on a phone), for the "data used" lines residents
//! on prepaid plans read. Each engine counts every request; a report's
//! attempt counts its own too (a task-local meter around the attempt).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::{Request, RequestBuilder, Response};

/// Bytes up and down since the last [`Meter::take`].
#[derive(Debug, Default)]
pub(crate) struct Meter {
    up: AtomicU64,
    down: AtomicU64,
    /// Requests sent, answered or not.
    tries: AtomicU64,
    /// Answers received, of any status: the link worked when it grew.
    answers: AtomicU64,
}

impl Meter {
    fn add(&self, up: u64, down: u64) {
        self.up.fetch_add(up, Ordering::Relaxed);
        self.down.fetch_add(down, Ordering::Relaxed);
    }

    /// Answers received so far (never reset): a dead-link probe compares
    /// it with its own last look to tell a new outage from the same one.
    pub(crate) fn answers(&self) -> u64 {
        self.answers.load(Ordering::Relaxed)
    }

    /// Requests sent so far (never reset).
    pub(crate) fn tries(&self) -> u64 {
        self.tries.load(Ordering::Relaxed)
    }

    /// What was counted, reset to zero.
    pub(crate) fn take(&self) -> (u64, u64) {
        (self.up.swap(0, Ordering::Relaxed), self.down.swap(0, Ordering::Relaxed))
    }
}

tokio::task_local! {
    static REPORT: Arc<Meter>;
}

/// Run `work` with its requests also counted on `meter` (one report's).
pub(crate) async fn for_report<F: Future>(meter: Arc<Meter>, work: F) -> F::Output {
    REPORT.scope(meter, work).await
}

/// Headers the client adds itself (Host, User-Agent, Accept-Encoding).
const CLIENT_HEADERS: u64 = 120;

/// Send `request`, counting it on `meter` (and on the report's, if any).
/// A request that got no answer counts its head only: how much of its body
/// went out is not known here (the tus client counts what the server kept
/// of a cut chunk when it learns the offset: [`count`]).
pub(crate) async fn send(meter: &Meter, request: RequestBuilder) -> Result<Response, reqwest::Error> {
    let (client, request) = request.build_split();
    let request = request?;
    let (head, body) = request_size(&request);
    meter.tries.fetch_add(1, Ordering::Relaxed);
    let answer = client.execute(request).await;
    match &answer {
        Ok(r) => {
            meter.answers.fetch_add(1, Ordering::Relaxed);
            count(meter, head + body, response_size(r))
        }
        Err(_) => count(meter, head, 0),
    }
    answer
}

/// Count bytes on `meter` and on the current report's.
pub(crate) fn count(meter: &Meter, up: u64, down: u64) {
    meter.add(up, down);
    let _ = REPORT.try_with(|m| m.add(up, down));
}

/// A request's head (line and headers) and body, in bytes.
fn request_size(r: &Request) -> (u64, u64) {
    let line = r.method().as_str().len() + r.url().path().len() + r.url().query().map_or(0, |q| q.len() + 1) + 12;
    let headers: usize = r.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    let body = r.body().and_then(|b| b.as_bytes()).map_or(0, <[u8]>::len);
    ((line + headers + 2) as u64 + CLIENT_HEADERS, body as u64)
}

fn response_size(r: &Response) -> u64 {
    let headers: usize = r.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    // 17: "HTTP/1.1 200 OK\r\n"; the body as announced (a compressed body's
    // length is not told once decoded: its headers are counted).
    (17 + headers + 2) as u64 + r.content_length().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_counts_its_line_headers_and_body() {
        // The sync's own client (it installs the TLS provider first).
        let client =
            super::super::http::client("test", std::time::Duration::from_secs(1), std::time::Duration::from_secs(1))
                .unwrap();
        let r = client
            .patch("http://127.0.0.1:9/api/v1/uploads/abc")
            .header("Upload-Offset", "0")
            .body(vec![0u8; 1000])
            .build()
            .unwrap();
        let (head, body) = request_size(&r);
        assert_eq!(body, 1000);
        assert!((40..300).contains(&head), "{head}");
    }

    #[test]
    fn a_report_scope_counts_only_inside_it() {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let report = Arc::new(Meter::default());
            for_report(report.clone(), async {
                let _ = REPORT.try_with(|m| m.add(10, 20));
            })
            .await;
            let _ = REPORT.try_with(|m| m.add(1, 1));
            assert_eq!(report.take(), (10, 20));
            assert_eq!(report.take(), (0, 0));
        });
    }
}
