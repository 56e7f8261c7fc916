//! The HTTP client and how its answers are sorted: done, try again later,
//! or refused for a reason the user must see.

use std::time::{Duration, SystemTime};

use phananh_protocol::Lang;
use phananh_protocol::wire::ApiError;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;

use super::backoff::parse_retry_after;
use crate::error::Error;

/// Why a request did not succeed, sorted by what to do about it.
#[derive(Debug)]
pub enum Failure {
    /// Try again later: no network, a timeout, 408, 423, 429, 5xx, or an
    /// answer that was not the server's (a captive portal).
    Transient {
        /// What happened, for logs and the UI (no personal data).
        why: String,
        /// The server's `Retry-After`, if it sent a readable one.
        retry_after: Option<Duration>,
        /// The link failed (no connection, a reset, a timeout), not the
        /// server: try again as soon as it may be back (a cheap probe on a
        /// short schedule), not after a long backoff.
        link: bool,
    },
    /// The token was refused: register again.
    Unauthorized,
    /// The server refused the request for a reason the user must act on.
    Rejected {
        /// HTTP status.
        status: u16,
        /// The server's stable code.
        code: String,
        /// The server's message in the user's language.
        message: String,
    },
    /// Something failed on this device (the store, a file).
    Local(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Local(e)
    }
}

impl Failure {
    pub(crate) fn transient(why: impl Into<String>) -> Failure {
        Failure::Transient { why: why.into(), retry_after: None, link: false }
    }

    /// The link failed (see [`Failure::Transient`]).
    pub(crate) fn link(why: impl Into<String>) -> Failure {
        Failure::Transient { why: why.into(), retry_after: None, link: true }
    }

    /// As the core's error type, for callers outside the sync loop.
    pub fn into_error(self) -> Error {
        match self {
            Failure::Transient { why, .. } => Error::Network(why),
            Failure::Unauthorized => Error::Server {
                status: 401,
                code: "unauthorized".into(),
                message: "the server refused this device's token".into(),
            },
            Failure::Rejected { status, code, message } => Error::Server { status, code, message },
            Failure::Local(e) => e,
        }
    }
}

/// Build the client: rustls on ring with the platform's certificate
/// verifier, timeouts for 3G (slow to connect, long silences), gzip, no
/// redirects (a redirect is a captive portal, never our server).
pub fn client(user_agent: &str, connect_timeout: Duration, read_timeout: Duration) -> Result<reqwest::Client, Error> {
    // Installing twice is harmless (the second call reports it is taken).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(user_agent)
        .connect_timeout(connect_timeout)
        .read_timeout(read_timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

/// A request that did not get an answer.
pub(crate) fn network(e: reqwest::Error) -> Failure {
    let why = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else {
        "the connection failed"
    };
    Failure::link(why)
}

/// Read `Retry-After` from headers.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers.get(RETRY_AFTER)?.to_str().ok().and_then(|v| parse_retry_after(v, SystemTime::now()))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"))
}

/// Sort a non-success answer.
pub(crate) async fn failure(resp: Response, lang: Lang) -> Failure {
    let status = resp.status();
    let ra = retry_after(resp.headers());
    // 423: the upload is still being written by our own earlier request
    // (cut by a dropped link; the server finishes or gives it up within a
    // minute): probed again soon, like a link that is coming back.
    if status == StatusCode::LOCKED {
        return Failure::Transient {
            why: "the upload is busy with an earlier request".into(),
            retry_after: ra,
            link: true,
        };
    }
    if status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Failure::Transient {
            why: format!("the server answered {}", status.as_u16()),
            retry_after: ra,
            link: false,
        };
    }
    if status == StatusCode::UNAUTHORIZED {
        return Failure::Unauthorized;
    }
    let json = is_json(resp.headers());
    let body = resp.bytes().await.unwrap_or_default();
    match serde_json::from_slice::<ApiError>(&body) {
        Ok(e) if json && status.is_client_error() => {
            Failure::Rejected { status: status.as_u16(), code: e.code, message: e.message }
        }
        // Not the server's own error body: a proxy or a portal spoke.
        _ if status.is_client_error() && !json => {
            Failure::transient(format!("unexpected answer {} (not from the server?)", status.as_u16()))
        }
        _ if status.is_client_error() => Failure::Rejected {
            status: status.as_u16(),
            code: "refused".into(),
            message: lang.pick("Máy chủ từ chối yêu cầu", "The server refused the request").into(),
        },
        _ => Failure::transient(format!("unexpected answer {}", status.as_u16())),
    }
}

/// A JSON answer with one of the `expected` statuses, or a sorted failure.
/// A 200 that is not JSON (a captive portal's page) is not success.
pub(crate) async fn json<T: DeserializeOwned>(resp: Response, lang: Lang) -> Result<(StatusCode, T), Failure> {
    let status = resp.status();
    if !status.is_success() {
        return Err(failure(resp, lang).await);
    }
    if !is_json(resp.headers()) {
        return Err(Failure::transient("the answer was not the server's (captive portal?)"));
    }
    let bytes = resp.bytes().await.map_err(network)?;
    serde_json::from_slice(&bytes)
        .map(|v| (status, v))
        .map_err(|_| Failure::transient("the server's answer could not be read"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, json: bool, body: &str) -> Response {
        let mut b = http::Response::builder().status(status);
        if json {
            b = b.header(CONTENT_TYPE, "application/json");
        }
        Response::from(b.header(RETRY_AFTER, "1").body(body.to_owned()).unwrap())
    }

    #[tokio::test]
    async fn busy_and_overloaded_are_tried_again_refusals_are_the_users() {
        for status in [408, 423, 429, 500, 503] {
            // A HEAD's answer has no body, only the status.
            match failure(answer(status, true, ""), Lang::Vi).await {
                Failure::Transient { retry_after, link, .. } => {
                    assert_eq!(retry_after, Some(Duration::from_secs(1)), "{status}");
                    // 423: our own earlier request still holds the upload;
                    // the others: the server is refusing for now.
                    assert_eq!(link, status == 423, "{status}");
                }
                other => panic!("{status}: {other:?}"),
            }
        }
        let refused = r#"{"code":"photo_too_complex","message":"Ảnh quá phức tạp"}"#;
        assert!(matches!(
            failure(answer(422, true, refused), Lang::Vi).await,
            Failure::Rejected { status: 422, ref code, .. } if code == "photo_too_complex"
        ));
        // A 4xx that is not the server's own (a portal's page): try again.
        assert!(matches!(failure(answer(403, false, "<html>"), Lang::Vi).await, Failure::Transient { .. }));
    }
}
