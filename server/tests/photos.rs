//! The photo store's contract, run unchanged on files and on a real
//! S3-compatible server: photos (put, get, delete, thumbnails) and the
//! pieces of partial uploads (write, cut back, length, read, remove).

#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "common/s3.rs"]
mod s3;

use std::io::ErrorKind;

use bytes::Bytes;
use phananh_server::photos::{FileStore, PhotoStore, S3Store, store_thumbnail, thumb_key};

fn jpeg() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/photos/real/DSCN0010.jpg");
    std::fs::read(path).unwrap()
}

async fn contract(store: &dyn PhotoStore) {
    // Photos.
    let key = "12/0190a0a0-0000-7000-8000-000000000001.jpg";
    assert_eq!(store.get(key).await.unwrap_err().kind(), ErrorKind::NotFound);
    store.put(key, Bytes::from_static(b"first")).await.unwrap();
    store.put(key, Bytes::from_static(b"second")).await.unwrap();
    assert_eq!(store.get(key).await.unwrap(), b"second", "a put replaces");
    store.delete(key).await.unwrap();
    store.delete(key).await.unwrap();
    assert_eq!(store.get(key).await.unwrap_err().kind(), ErrorKind::NotFound, "deleted");
    for bad in ["../escape.jpg", "/abs.jpg", "", "a b.jpg"] {
        assert!(store.put(bad, Bytes::from_static(b"x")).await.is_err(), "{bad:?}");
    }

    // Thumbnails: made from a real photo, kept beside it.
    let photo = Bytes::from(jpeg());
    store.put(key, photo.clone()).await.unwrap();
    store_thumbnail(store, key, photo.clone()).await;
    let thumb = store.get(&thumb_key(key)).await.unwrap();
    assert!(thumb.starts_with(&[0xFF, 0xD8]) && thumb.len() < photo.len() / 2, "{} bytes", thumb.len());
    assert_eq!(store.get(key).await.unwrap(), photo.as_ref(), "the photo itself is untouched");

    // Partial uploads: pieces at increasing offsets, the length from the store.
    let id = "0123456789abcdef0123456789abcdef";
    assert_eq!(store.partial_len(id).await.unwrap(), 0);
    assert_eq!(store.read_partial(id).await.unwrap_err().kind(), ErrorKind::NotFound);
    let body: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    store.write_partial(id, 0, Bytes::copy_from_slice(&body[..1000])).await.unwrap();
    store.write_partial(id, 1000, Bytes::copy_from_slice(&body[1000..2500])).await.unwrap();
    assert_eq!(store.partial_len(id).await.unwrap(), 2500);
    // A PATCH refused after its first piece: cut back to the recorded offset.
    store.write_partial(id, 2500, Bytes::copy_from_slice(&body[2500..2700])).await.unwrap();
    store.truncate_partial(id, 2500).await.unwrap();
    assert_eq!(store.partial_len(id).await.unwrap(), 2500);
    // A cut inside a piece (only after a fault) keeps the piece's head.
    store.truncate_partial(id, 1800).await.unwrap();
    assert_eq!(store.partial_len(id).await.unwrap(), 1800);
    store.write_partial(id, 1800, Bytes::copy_from_slice(&body[1800..])).await.unwrap();
    assert_eq!(store.read_partial(id).await.unwrap(), body, "byte-identical");
    store.truncate_partial(id, 3000).await.unwrap();
    assert_eq!(store.read_partial(id).await.unwrap(), body, "cutting at the end changes nothing");
    // Another upload's bytes are its own.
    let other = "fedcba9876543210fedcba9876543210";
    store.write_partial(other, 0, Bytes::from_static(b"other")).await.unwrap();
    store.remove_partial(id).await.unwrap();
    store.remove_partial(id).await.unwrap();
    assert_eq!(store.read_partial(id).await.unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(store.partial_len(id).await.unwrap(), 0);
    assert_eq!(store.read_partial(other).await.unwrap(), b"other");
    assert!(store.write_partial("../x", 0, Bytes::from_static(b"x")).await.is_err());
}

#[tokio::test]
async fn files_keep_the_photo_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("photos"), dir.path().join("uploads")).unwrap();
    contract(&store).await;
}

#[tokio::test]
async fn s3_keeps_the_photo_store_contract() {
    let Some(location) = s3::fresh_bucket("s3_keeps_the_photo_store_contract").await else { return };
    let store = S3Store::new(&location).unwrap();
    contract(&store).await;
    // Under a prefix, the same; and nothing escapes it.
    let mut inside = location.clone();
    inside.prefix = format!("{}/nghe-an", location.prefix);
    let prefixed = S3Store::new(&inside).unwrap();
    prefixed.put("1/a.jpg", Bytes::from_static(b"a")).await.unwrap();
    assert_eq!(store.get("1/a.jpg").await.unwrap_err().kind(), ErrorKind::NotFound);
}
