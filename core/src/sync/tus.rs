//! A tus 1.0.0 client: creation, `HEAD`/`PATCH` with resume, and the
//! checksum extension when the server offers it.
//!
//! It speaks to any tus server (ours and the reference `tusd`), so nothing
//! here knows about reports: the sync gives it a creation URL, a file and
//! optional headers (the bearer token).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use reqwest::{Client, RequestBuilder, StatusCode, Url};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::http::{Failure, failure, network};
use super::pace::Pace;
use crate::Lang;
use crate::error::Error;

const TUS_VERSION: &str = "1.0.0";

/// What went wrong with an upload, for the caller to decide.
#[derive(Debug)]
pub enum UploadFailure {
    /// The upload is gone (expired or removed): create a new one.
    Gone,
    /// Anything else.
    Other(Failure),
}

impl From<Failure> for UploadFailure {
    fn from(f: Failure) -> Self {
        UploadFailure::Other(f)
    }
}

/// What the server supports, from `OPTIONS`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// `Tus-Extension`, lower-cased.
    pub extensions: Vec<String>,
    /// `Tus-Checksum-Algorithm`, lower-cased.
    pub checksum_algorithms: Vec<String>,
    /// `Tus-Max-Size`, if given.
    pub max_size: Option<u64>,
}

impl Capabilities {
    /// Whether `Upload-Checksum: sha256` may be sent.
    pub fn sha256_checksums(&self) -> bool {
        self.extensions.iter().any(|e| e == "checksum") && self.checksum_algorithms.iter().any(|a| a == "sha256")
    }
}

/// A tus client over a shared HTTP client.
#[derive(Debug, Clone)]
pub struct TusClient {
    http: Client,
    headers: HeaderMap,
    lang: Lang,
    /// How big each `PATCH` is: measured on the link, shared with the
    /// engine's other uploads.
    pace: Arc<Mutex<Pace>>,
    /// Send `Upload-Checksum: sha256 …` with every chunk.
    pub checksums: bool,
    /// Counts every request's bytes.
    meter: Arc<super::meter::Meter>,
    /// Chunks cut by a dropped link, by upload: where each began and how
    /// long it was, so the next `HEAD` can count what of it arrived.
    cut: Arc<Mutex<std::collections::HashMap<Url, (u64, u64)>>>,
}

/// How many times in a row a chunk refused (460 checksum, 409 offset) is
/// sent again at once before the attempt is given up for later.
const CHECKSUM_RESENDS: u32 = 3;

impl TusClient {
    /// A client sending `headers` (e.g. `Authorization`) with every
    /// request, in chunks of `chunk_size` bytes.
    pub fn new(http: Client, headers: HeaderMap, lang: Lang, chunk_size: usize, checksums: bool) -> TusClient {
        TusClient::paced(http, headers, lang, Arc::new(Mutex::new(Pace::fixed(chunk_size))), checksums)
    }

    /// A client whose chunks follow `pace` (and teach it the link).
    pub fn paced(http: Client, headers: HeaderMap, lang: Lang, pace: Arc<Mutex<Pace>>, checksums: bool) -> TusClient {
        TusClient { http, headers, lang, pace, checksums, meter: Default::default(), cut: Default::default() }
    }

    /// Count this client's bytes on `meter` (the engine's), remembering cut
    /// chunks in `cut` (the engine's, shared by its clients).
    pub(crate) fn metered(
        mut self,
        meter: Arc<super::meter::Meter>,
        cut: Arc<Mutex<std::collections::HashMap<Url, (u64, u64)>>>,
    ) -> TusClient {
        self.meter = meter;
        self.cut = cut;
        self
    }

    async fn send(&self, r: RequestBuilder) -> Result<reqwest::Response, Failure> {
        super::meter::send(&self.meter, r).await.map_err(network)
    }

    fn pace(&self) -> std::sync::MutexGuard<'_, Pace> {
        self.pace.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn req(&self, r: RequestBuilder) -> RequestBuilder {
        r.headers(self.headers.clone()).header("Tus-Resumable", TUS_VERSION)
    }

    /// Ask the server what it supports.
    pub async fn options(&self, endpoint: &Url) -> Result<Capabilities, Failure> {
        let resp = self.send(self.req(self.http.request(reqwest::Method::OPTIONS, endpoint.clone()))).await?;
        if !resp.status().is_success() {
            return Err(failure(resp, self.lang).await);
        }
        let list = |name: &str| -> Vec<String> {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default()
        };
        Ok(Capabilities {
            extensions: list("tus-extension"),
            checksum_algorithms: list("tus-checksum-algorithm"),
            max_size: resp.headers().get("tus-max-size").and_then(|v| v.to_str().ok()?.trim().parse().ok()),
        })
    }

    /// Create an upload of `length` bytes; returns its URL. With an
    /// idempotency key a replayed creation returns the same URL.
    pub async fn create(
        &self,
        endpoint: &Url,
        length: u64,
        metadata: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Result<Url, Failure> {
        Ok(self.create_with(endpoint, length, metadata, idempotency_key, None).await?.0)
    }

    /// Create an upload, its first chunk in the same request when `first`
    /// is given (tus creation-with-upload, for a server that offers it);
    /// returns its URL and the offset the server answered with, if it did
    /// (ours always does: a replayed creation then resumes without a
    /// `HEAD`).
    pub async fn create_with(
        &self,
        endpoint: &Url,
        length: u64,
        metadata: &[(&str, &str)],
        idempotency_key: Option<&str>,
        first: Option<Vec<u8>>,
    ) -> Result<(Url, Option<u64>), Failure> {
        let meta: Vec<String> = metadata.iter().map(|(k, v)| format!("{k} {}", B64.encode(v))).collect();
        let mut r = self
            .req(self.http.post(endpoint.clone()))
            .header("Upload-Length", length.to_string())
            .header("Upload-Metadata", meta.join(","));
        if let Some(key) = idempotency_key {
            r = r.header("Idempotency-Key", key);
        }
        // A creation's cut first chunk is known by its endpoint and key
        // until the next creation learns what the server kept of it.
        let mut cut_key = endpoint.clone();
        cut_key.set_fragment(idempotency_key);
        let sent = first.as_ref().map_or(0, |c| c.len() as u64);
        if let Some(chunk) = first {
            r = self.with_checksum(r.header(CONTENT_TYPE, "application/offset+octet-stream"), &chunk).body(chunk);
        }
        let started = Instant::now();
        let resp = match self.send(r).await {
            Ok(resp) => resp,
            Err(f) => {
                if sent > 0 && matches!(f, Failure::Transient { link: true, .. }) {
                    self.cut.lock().unwrap_or_else(|p| p.into_inner()).insert(cut_key, (0, sent));
                }
                return Err(f);
            }
        };
        if resp.status() != StatusCode::CREATED {
            return Err(if resp.status().is_success() {
                Failure::transient("the upload was not created (not a tus server?)")
            } else {
                failure(resp, self.lang).await
            });
        }
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Failure::transient("the upload's address is missing"))?;
        let url = endpoint.join(location).map_err(|_| Failure::transient("the upload's address is not a URL"))?;
        let offset = offset_of(resp.headers());
        let cut = self.cut.lock().unwrap_or_else(|p| p.into_inner()).remove(&cut_key);
        if let (Some((start, len)), Some(offset)) = (cut, offset) {
            // What the server kept of an earlier creation's cut chunk went on the air.
            super::meter::count(&self.meter, offset.saturating_sub(start).min(len), 0);
        }
        if sent > 0
            && let Some(offset) = offset
        {
            self.pace().sent(offset.min(sent), started.elapsed());
        }
        Ok((url, offset))
    }

    /// The size of the next chunk: short when a cut loses it whole (it
    /// carries a checksum), long when the server keeps what arrived.
    pub(crate) fn next_chunk_size(&self) -> usize {
        if self.checksums { self.pace().next_chunk() } else { self.pace().next_kept_chunk() }
    }

    fn with_checksum(&self, r: RequestBuilder, chunk: &[u8]) -> RequestBuilder {
        if !self.checksums {
            return r;
        }
        let digest = B64.encode(Sha256::digest(chunk));
        match HeaderValue::from_str(&format!("sha256 {digest}")) {
            Ok(v) => r.header("Upload-Checksum", v),
            Err(_) => r,
        }
    }

    /// The server's offset for an upload (`HEAD`).
    pub async fn offset(&self, url: &Url) -> Result<u64, UploadFailure> {
        let resp = self.send(self.req(self.http.head(url.clone()))).await?;
        match resp.status() {
            StatusCode::NOT_FOUND | StatusCode::GONE => return Err(UploadFailure::Gone),
            s if !s.is_success() => return Err(failure(resp, self.lang).await.into()),
            _ => {}
        }
        let offset = offset_of(resp.headers())
            .ok_or_else(|| UploadFailure::from(Failure::transient("no Upload-Offset in the answer")))?;
        // A chunk cut earlier: what the server kept of it went on the air.
        let cut = self.cut.lock().unwrap_or_else(|p| p.into_inner()).remove(url);
        if let Some((start, len)) = cut {
            super::meter::count(&self.meter, offset.saturating_sub(start).min(len), 0);
        }
        Ok(offset)
    }

    /// Send one chunk at `offset`; returns the server's new offset.
    async fn patch(&self, url: &Url, offset: u64, chunk: Vec<u8>) -> Result<Patched, UploadFailure> {
        let r = self
            .req(self.http.patch(url.clone()))
            .header(CONTENT_TYPE, "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string());
        let resp = self.send(self.with_checksum(r, &chunk).body(chunk)).await?;
        let status = resp.status();
        match status.as_u16() {
            200..=299 => offset_of(resp.headers())
                .map(Patched::At)
                .ok_or_else(|| Failure::transient("no Upload-Offset in the answer").into()),
            409 => Ok(Patched::Conflict),
            460 => Ok(Patched::ChecksumMismatch),
            404 | 410 => Err(UploadFailure::Gone),
            _ => Err(failure(resp, self.lang).await.into()),
        }
    }

    /// Upload `file` (of `length` bytes) to `url`, resuming from the
    /// server's offset (asked with `HEAD` unless `known_offset` is given,
    /// as for an upload just created); `progress(sent, total)` after every
    /// chunk.
    pub async fn upload_file(
        &self,
        url: &Url,
        file: &Path,
        length: u64,
        known_offset: Option<u64>,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> Result<(), UploadFailure> {
        let io = |e| UploadFailure::reading(file, e);
        let mut f = tokio::fs::File::open(file).await.map_err(io)?;
        let mut offset = match known_offset {
            Some(o) => o,
            None => self.offset(url).await?,
        };
        progress(offset, length);
        let mut resends = 0;
        while offset < length {
            // With a checksum a cut chunk is lost whole: keep it short.
            // Without, the server keeps what arrived: longer chunks waste
            // less time waiting for each answer.
            let size = self.next_chunk_size();
            let n = (length - offset).min(size as u64) as usize;
            let mut chunk = vec![0u8; n];
            f.seek(std::io::SeekFrom::Start(offset)).await.map_err(io)?;
            f.read_exact(&mut chunk).await.map_err(io)?;
            let started = Instant::now();
            let patched = self.patch(url, offset, chunk).await;
            if let Err(UploadFailure::Other(Failure::Transient { link: true, .. })) = &patched {
                // A cut chunk with a checksum is lost whole: send shorter
                // ones while the link is this bad. One without is kept up
                // to the cut: the drop says nothing of the link's rate, and
                // a shorter chunk would only cost one more answer to wait
                // for (the last photo of a batch, alone on the air, idles
                // the radio a round trip for each).
                if self.checksums {
                    self.pace().failed();
                }
                self.cut.lock().unwrap_or_else(|p| p.into_inner()).insert(url.clone(), (offset, n as u64));
            }
            match patched? {
                Patched::At(next) if next > offset && next <= length => {
                    self.pace().sent(next - offset, started.elapsed());
                    offset = next;
                    resends = 0;
                    progress(offset, length);
                }
                Patched::At(_) => return Err(Failure::transient("the server's offset went backwards").into()),
                // Someone else moved the upload on (or a lost answer to our
                // own PATCH): ask where it stands and carry on from there.
                Patched::Conflict if resends < CHECKSUM_RESENDS => {
                    resends += 1;
                    offset = self.offset(url).await?;
                }
                Patched::ChecksumMismatch if resends < CHECKSUM_RESENDS => resends += 1,
                Patched::Conflict | Patched::ChecksumMismatch => {
                    return Err(Failure::transient("chunks keep being refused").into());
                }
            }
        }
        Ok(())
    }
}

impl UploadFailure {
    /// The photo's file could not be read: the device's own failure.
    fn reading(file: &Path, source: std::io::Error) -> Self {
        UploadFailure::Other(Failure::Local(Error::Io {
            context: "reading a photo to send",
            path: file.into(),
            source,
        }))
    }
}

/// The first `n` bytes of a photo file, for a creation that carries them.
pub(crate) async fn read_start(file: &Path, n: usize) -> Result<Vec<u8>, UploadFailure> {
    let io = |e| UploadFailure::reading(file, e);
    let mut chunk = vec![0u8; n];
    tokio::fs::File::open(file).await.map_err(io)?.read_exact(&mut chunk).await.map_err(io)?;
    Ok(chunk)
}

enum Patched {
    At(u64),
    Conflict,
    ChecksumMismatch,
}

fn offset_of(headers: &HeaderMap) -> Option<u64> {
    headers.get("upload-offset")?.to_str().ok()?.trim().parse().ok()
}
