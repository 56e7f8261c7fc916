//! Where photos live, and the bytes of uploads not yet finished: behind one
//! trait, on the file system for a district ([`FileStore`]) or in an
//! S3-compatible bucket for a province ([`S3Store`]), so that a tus PATCH
//! may land on any replica.
//!
//! A partial upload is written in pieces at increasing offsets and cut back
//! to the offset the records hold before each PATCH: bytes past it were
//! never counted (a chunk refused, or a server stopped before recording
//! it). Files keep the pieces in one file; S3, which cannot append, keeps
//! each piece as its own object (see [`s3`]).

mod files;
pub mod s3;

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;

pub use files::FileStore;
pub use s3::S3Store;

/// What every photo-store call returns: a boxed future, so the trait can
/// be used as `dyn PhotoStore`.
pub type PhotoFut<'a, T> = Pin<Box<dyn Future<Output = std::io::Result<T>> + Send + 'a>>;

/// Blob storage for photos (by key) and for partial uploads (by upload id).
/// A missing photo or partial upload is `ErrorKind::NotFound`.
pub trait PhotoStore: Send + Sync {
    /// Store `bytes` under `key`, whole or not at all.
    fn put<'a>(&'a self, key: &'a str, bytes: Bytes) -> PhotoFut<'a, ()>;
    /// Read a photo.
    fn get<'a>(&'a self, key: &'a str) -> PhotoFut<'a, Vec<u8>>;
    /// Remove a photo (gone already is fine).
    fn delete<'a>(&'a self, key: &'a str) -> PhotoFut<'a, ()>;

    /// Write a piece of upload `id` at byte `at` (the end of what is there).
    fn write_partial<'a>(&'a self, id: &'a str, at: u64, bytes: Bytes) -> PhotoFut<'a, ()>;
    /// Cut upload `id` back to its first `offset` bytes.
    fn truncate_partial<'a>(&'a self, id: &'a str, offset: u64) -> PhotoFut<'a, ()>;
    /// How many bytes of upload `id` the store holds from its start.
    fn partial_len<'a>(&'a self, id: &'a str) -> PhotoFut<'a, u64>;
    /// Every byte of upload `id`; `NotFound` if there is none (an earlier
    /// finish stored the photo and removed it).
    fn read_partial<'a>(&'a self, id: &'a str) -> PhotoFut<'a, Vec<u8>>;
    /// Forget upload `id`'s bytes (gone already is fine).
    fn remove_partial<'a>(&'a self, id: &'a str) -> PhotoFut<'a, ()>;
}

/// How many bytes of a chunk are gathered before they are written as a
/// piece: memory per PATCH stays at this, and S3 gets few, fair-sized puts.
pub const PIECE: usize = 256 * 1024;

/// Where a photo's thumbnail is kept, next to the photo.
pub fn thumb_key(photo_key: &str) -> String {
    match photo_key.strip_suffix(".jpg") {
        Some(stem) => format!("{stem}.thumb.jpg"),
        None => format!("{photo_key}.thumb"),
    }
}

/// Make (off the async threads) and store a photo's thumbnail; a failure
/// only costs the thumbnail (lists then fall back to the photo).
pub async fn store_thumbnail(store: &dyn PhotoStore, photo_key: &str, jpeg: Bytes) {
    let thumb = tokio::task::spawn_blocking(move || crate::jpeg::thumbnail(&jpeg)).await.ok().flatten();
    if let Some(thumb) = thumb
        && let Err(e) = store.put(&thumb_key(photo_key), Bytes::from(thumb)).await
    {
        tracing::warn!(error = %e, "could not store a thumbnail");
    }
}

/// Keys and upload ids are made by the server (ids and hex), never by
/// clients; refuse anything that could climb out of a root all the same.
fn safe_key(key: &str) -> bool {
    !key.is_empty()
        && !key.contains("..")
        && !key.starts_with('/')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn bad_key() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad photo key")
}
