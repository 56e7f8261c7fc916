//! Photos and partial uploads in an S3-compatible bucket, through the
//! `object_store` crate (Apache Arrow's: one small async client for S3 and
//! its look-alikes, signing on `ring` like the rest of the workspace; the
//! AWS SDK would bring a far larger tree for the five calls used here).
//!
//! Objects: `PREFIX/photos/KEY` for photos and thumbnails, and
//! `PREFIX/partial/ID/OFFSET` for the pieces of a partial upload.
//!
//! S3 cannot append. tusd's s3store answers with multipart uploads: parts
//! of at least the part minimum (5 MiB), the bytes short of one kept in an
//! "incomplete part" object that each PATCH downloads, extends and uploads
//! again, and the offset recovered by listing the parts. Here a photo is at
//! most a few MiB (`--max-photo-bytes`), under the part minimum, so every
//! upload would live in its incomplete part and be rewritten whole on each
//! PATCH. Instead the incomplete part is kept as a run of pieces, each its
//! own object named by its offset (zero-padded, so listing order is byte
//! order): a PATCH only adds objects, the offset is recoverable from the
//! store (the pieces contiguous from 0), and cutting back to the recorded
//! offset deletes the pieces past it. The finished photo is checked whole
//! anyway (sha256, JPEG, metadata stripped) and written as one object.

use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use super::{PhotoFut, PhotoStore, bad_key, safe_key};

/// A bucket (and a prefix in it) on an S3-compatible server.
pub struct S3Store {
    store: AmazonS3,
    prefix: String,
}

/// Where a bucket is: `s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// The bucket.
    pub bucket: String,
    /// A path inside it ("" for its root).
    pub prefix: String,
    /// The server, e.g. `http://127.0.0.1:8333` (none: AWS itself).
    pub endpoint: Option<String>,
    /// The region (default `us-east-1`).
    pub region: String,
}

impl S3Location {
    /// Parse an `s3://` URL; `Err` says what is wrong, for the operator.
    pub fn parse(url: &str) -> Result<S3Location, String> {
        let rest = url.strip_prefix("s3://").ok_or("the photo store is s3://BUCKET?endpoint=…&region=…")?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !bucket_ok {
            return Err(format!("{bucket:?} is not a bucket name (3–63 of a-z, 0-9, '-', '.')"));
        }
        let prefix = prefix.trim_matches('/').to_owned();
        if !prefix.is_empty() && !safe_key(&prefix) {
            return Err(format!("{prefix:?} is not a usable prefix"));
        }
        let mut location =
            S3Location { bucket: bucket.to_owned(), prefix, endpoint: None, region: "us-east-1".to_owned() };
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "endpoint" if v.starts_with("http://") || v.starts_with("https://") => {
                    location.endpoint = Some(v.trim_end_matches('/').to_owned())
                }
                "endpoint" => return Err(format!("endpoint={v} is not an http(s) URL")),
                "region" if !v.is_empty() => location.region = v.into_owned(),
                other => return Err(format!("unknown setting {other:?} (endpoint, region)")),
            }
        }
        Ok(location)
    }
}

fn io(e: object_store::Error) -> std::io::Error {
    match e {
        object_store::Error::NotFound { .. } => std::io::Error::new(std::io::ErrorKind::NotFound, e.to_string()),
        other => std::io::Error::other(other.to_string()),
    }
}

impl S3Store {
    /// A store on `location`, signed with the standard AWS environment
    /// variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optionally
    /// `AWS_SESSION_TOKEN`); without them requests go unsigned, as a
    /// server with no identities configured accepts (a test's SeaweedFS).
    pub fn new(location: &S3Location) -> std::io::Result<S3Store> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&location.bucket)
            .with_region(&location.region)
            .with_retry(object_store::RetryConfig {
                max_retries: 3,
                retry_timeout: std::time::Duration::from_secs(30),
                ..Default::default()
            });
        match (std::env::var("AWS_ACCESS_KEY_ID"), std::env::var("AWS_SECRET_ACCESS_KEY")) {
            (Ok(key), Ok(secret)) => {
                builder = builder.with_access_key_id(key).with_secret_access_key(secret);
                if let Ok(token) = std::env::var("AWS_SESSION_TOKEN") {
                    builder = builder.with_token(token);
                }
            }
            _ => {
                tracing::warn!("no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: photo store requests go unsigned");
                builder = builder.with_skip_signature(true);
            }
        }
        if let Some(endpoint) = &location.endpoint {
            // Path-style requests (`endpoint/bucket/key`): what S3
            // look-alikes on one address serve.
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        let store = builder.build().map_err(io)?;
        Ok(S3Store { store, prefix: location.prefix.clone() })
    }

    fn path(&self, kind: &str, key: &str) -> std::io::Result<Path> {
        if !safe_key(key) {
            return Err(bad_key());
        }
        let full =
            if self.prefix.is_empty() { format!("{kind}/{key}") } else { format!("{}/{kind}/{key}", self.prefix) };
        Path::parse(full).map_err(|_| bad_key())
    }

    fn piece(&self, id: &str, at: u64) -> std::io::Result<Path> {
        self.path("partial", &format!("{id}/{at:020}"))
    }

    /// Upload `id`'s pieces, by offset: `(offset, size, path)`.
    async fn pieces(&self, id: &str) -> std::io::Result<Vec<(u64, u64, Path)>> {
        if id.contains('/') {
            return Err(bad_key());
        }
        let dir = self.path("partial", id)?;
        let listed: Vec<_> = self.store.list(Some(&dir)).try_collect().await.map_err(io)?;
        let mut pieces: Vec<(u64, u64, Path)> = listed
            .into_iter()
            .filter_map(|m| {
                let at = m.location.filename()?.parse::<u64>().ok()?;
                Some((at, m.size, m.location))
            })
            .collect();
        pieces.sort_by_key(|(at, _, _)| *at);
        Ok(pieces)
    }
}

/// The pieces that run on from byte 0 without a gap.
fn contiguous(pieces: &[(u64, u64, Path)]) -> impl Iterator<Item = &(u64, u64, Path)> {
    let mut next = 0;
    pieces.iter().take_while(move |(at, size, _)| {
        let joins = *at == next;
        next = at + size;
        joins
    })
}

impl PhotoStore for S3Store {
    fn put<'a>(&'a self, key: &'a str, bytes: Bytes) -> PhotoFut<'a, ()> {
        Box::pin(async move {
            self.store.put(&self.path("photos", key)?, PutPayload::from(bytes)).await.map_err(io)?;
            Ok(())
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> PhotoFut<'a, Vec<u8>> {
        Box::pin(async move {
            let got = self.store.get(&self.path("photos", key)?).await.map_err(io)?;
            Ok(got.bytes().await.map_err(io)?.to_vec())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> PhotoFut<'a, ()> {
        Box::pin(async move {
            match self.store.delete(&self.path("photos", key)?).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(io(e)),
            }
        })
    }

    fn write_partial<'a>(&'a self, id: &'a str, at: u64, bytes: Bytes) -> PhotoFut<'a, ()> {
        Box::pin(async move {
            self.store.put(&self.piece(id, at)?, PutPayload::from(bytes)).await.map_err(io)?;
            Ok(())
        })
    }

    fn truncate_partial<'a>(&'a self, id: &'a str, offset: u64) -> PhotoFut<'a, ()> {
        Box::pin(async move {
            for (at, size, path) in self.pieces(id).await? {
                if at >= offset {
                    self.store.delete(&path).await.map_err(io)?;
                } else if at + size > offset {
                    // A piece across the cut (pieces end where offsets were
                    // recorded, so only after a fault): keep its head.
                    let head = self.store.get(&path).await.map_err(io)?.bytes().await.map_err(io)?;
                    let keep = head.slice(..(offset - at) as usize);
                    self.store.put(&path, PutPayload::from(keep)).await.map_err(io)?;
                }
            }
            Ok(())
        })
    }

    fn partial_len<'a>(&'a self, id: &'a str) -> PhotoFut<'a, u64> {
        Box::pin(async move { Ok(contiguous(&self.pieces(id).await?).map(|(_, size, _)| size).sum()) })
    }

    fn read_partial<'a>(&'a self, id: &'a str) -> PhotoFut<'a, Vec<u8>> {
        Box::pin(async move {
            let pieces = self.pieces(id).await?;
            if pieces.is_empty() {
                return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no partial upload"));
            }
            let mut out = Vec::new();
            for (_, _, path) in contiguous(&pieces) {
                out.extend_from_slice(&self.store.get(path).await.map_err(io)?.bytes().await.map_err(io)?);
            }
            Ok(out)
        })
    }

    fn remove_partial<'a>(&'a self, id: &'a str) -> PhotoFut<'a, ()> {
        Box::pin(async move {
            for (_, _, path) in self.pieces(id).await? {
                match self.store.delete(&path).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(io(e)),
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn locations_parse_as_operators_write_them() {
        let l = S3Location::parse("s3://phananh-photos?endpoint=http://127.0.0.1:8333/&region=vn-north").unwrap();
        assert_eq!(l.bucket, "phananh-photos");
        assert_eq!(
            (l.prefix.as_str(), l.endpoint.as_deref(), l.region.as_str()),
            ("", Some("http://127.0.0.1:8333"), "vn-north")
        );
        let l = S3Location::parse("s3://bucket/nghe-an/").unwrap();
        assert_eq!((l.prefix.as_str(), l.endpoint, l.region.as_str()), ("nghe-an", None, "us-east-1"));
        for bad in [
            "http://x",
            "s3://",
            "s3://Bucket",
            "s3://b",
            "s3://bucket?endpoint=ftp://x",
            "s3://bucket?secret=1",
            "s3://bucket/../x",
        ] {
            assert!(S3Location::parse(bad).is_err(), "{bad}");
        }
    }
}
