//! `phananh-server migrate`: a district's data directory (SQLite and photo
//! files) copied into PostgreSQL (and an S3 bucket), then verified.
//!
//! Every table is copied whole, ids included (so tracking codes, links and
//! the phones' change cursors stay valid), in one PostgreSQL transaction:
//! a failure leaves the target empty. Columns are matched by name and
//! converted by the target's types (SQLite's 0/1 to booleans); the search
//! text PostgreSQL keeps is computed as the server computes it. Afterwards
//! each table's rows are digested on both sides (sha256 over every value,
//! in key order) and compared, and every photo read back from its new home
//! must have the sha256 it had on disk.

use std::collections::BTreeMap;
use std::path::Path;

use bytes::Bytes;
use rusqlite::types::Value;
use sha2::{Digest, Sha256};
use tokio_postgres::types::ToSql;

use crate::photos::s3::S3Location;
use crate::photos::{PhotoStore, thumb_key};

/// What can stop a migration, in the operator's words.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The source is not a data directory the server wrote.
    #[error("{0} holds no server database (server.sqlite3)")]
    NoSource(String),
    /// The target already holds a district.
    #[error("the target database is not empty ({0} rows in {1}); migrate into a new database")]
    NotEmpty(i64, String),
    /// A copy read back differs.
    #[error("verification failed: {0}")]
    Mismatch(String),
    /// SQLite failed.
    #[error("reading the source: {0}")]
    Source(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("writing the target: {0}")]
    Target(#[from] tokio_postgres::Error),
    /// Storage failed.
    #[error("{0}")]
    Storage(#[from] crate::storage::StorageError),
    /// A photo could not be read or written.
    #[error("photo {0}: {1}")]
    Photo(String, std::io::Error),
}

/// The tables, parents before children; with each, the key it is read in.
const TABLES: &[(&str, &str)] = &[
    ("devices", "id"),
    ("categories", "code"),
    ("settings", "key"),
    ("staff", "id"),
    ("api_keys", "key_hash"),
    ("reports", "id"),
    ("photo_decls", "report_id, photo_id"),
    ("photos", "id"),
    ("uploads", "id"),
    ("changes", "seq"),
    ("staff_sessions", "token_hash"),
    ("audit_log", "seq"),
    ("report_events", "seq"),
    ("internal_notes", "seq"),
    ("extensions", "id"),
    ("ratings", "report_id"),
    ("reopens", "id"),
    ("follows", "report_id, device_id"),
];

/// Identity columns whose sequences must continue after the copied ids.
const IDENTITIES: &[(&str, &str)] = &[
    ("reports", "id"),
    ("changes", "seq"),
    ("staff", "id"),
    ("audit_log", "seq"),
    ("report_events", "seq"),
    ("internal_notes", "seq"),
    ("extensions", "id"),
    ("reopens", "id"),
];

/// What was moved: rows per table, photos (and thumbnails) copied.
#[derive(Debug, Default)]
pub struct Moved {
    /// Rows per table, equal on both sides.
    pub rows: BTreeMap<String, i64>,
    /// Photos copied and read back with their sha256.
    pub photos: usize,
    /// Thumbnails copied.
    pub thumbnails: usize,
    /// Unfinished uploads' bytes copied.
    pub partial_uploads: usize,
}

/// A column as PostgreSQL types it.
struct Column {
    name: String,
    kind: String,
}

/// Copy the data directory `from` into the (empty) database `to`, and its
/// photos into `photos` if given (else they stay in `from/photos`, which
/// `serve --data` still reads). Then verify.
pub async fn migrate(from: &Path, to: &str, photos: Option<&S3Location>) -> Result<Moved, MigrateError> {
    let db = from.join("server.sqlite3");
    if !db.is_file() {
        return Err(MigrateError::NoSource(from.display().to_string()));
    }
    // Opening brings an older file up to the current schema first.
    drop(crate::storage::SqliteStorage::open(&db).map_err(|e| MigrateError::NoSource(e.to_string()))?);
    let source = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    // The target's schema, made by the server's own migrations.
    let clock = std::sync::Arc::new(phananh_protocol::SystemClock);
    drop(crate::storage::PgStorage::connect(to, clock).await?);
    let (mut target, connection) = tokio_postgres::connect(to, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    for (table, _) in TABLES {
        let n: i64 = target.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await?.get(0);
        if n > 0 {
            return Err(MigrateError::NotEmpty(n, (*table).to_owned()));
        }
    }

    let mut moved = Moved::default();
    let tx = target.transaction().await?;
    for (table, key) in TABLES {
        let columns = columns(&tx, table).await?;
        let n = copy_table(&source, &tx, table, key, &columns).await?;
        moved.rows.insert((*table).to_owned(), n);
    }
    // Duplicates point at reports in any order: set once all are there.
    let mut dups = source.prepare("SELECT id, duplicate_of FROM reports WHERE duplicate_of IS NOT NULL")?;
    let dups: Vec<(i64, i64)> = dups.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    for (id, of) in dups {
        tx.execute("UPDATE reports SET duplicate_of = $2 WHERE id = $1", &[&id, &of]).await?;
    }
    for (table, column) in IDENTITIES {
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
            ),
            &[],
        )
        .await?;
    }
    tx.commit().await?;

    // Verify the records: the same rows, value for value.
    for (table, key) in TABLES {
        let columns = columns(&target, table).await?;
        let (here, there) =
            (digest_source(&source, table, key, &columns)?, digest_target(&target, table, key, &columns).await?);
        if here != there {
            return Err(MigrateError::Mismatch(format!("table {table} differs after the copy")));
        }
    }

    if let Some(location) = photos {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let store = crate::photos::S3Store::new(location).map_err(|e| MigrateError::Photo("store".into(), e))?;
        copy_photos(&source, from, &store, &mut moved).await?;
    }
    Ok(moved)
}

async fn columns(c: &impl tokio_postgres::GenericClient, table: &str) -> Result<Vec<Column>, MigrateError> {
    let rows = c
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Column { name: r.get(0), kind: r.get(1) })
        // Computed here, not copied (SQLite has no such column).
        .filter(|c| c.name != "searchable")
        .collect())
}

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

/// A SQLite value as the target column's type.
fn convert(value: Value, kind: &str) -> Box<dyn ToSql + Sync + Send> {
    match (kind, value) {
        (_, Value::Null) => match kind {
            "bigint" => Box::new(None::<i64>),
            "integer" => Box::new(None::<i32>),
            "smallint" => Box::new(None::<i16>),
            "boolean" => Box::new(None::<bool>),
            "double precision" => Box::new(None::<f64>),
            _ => Box::new(None::<String>),
        },
        ("bigint", Value::Integer(n)) => Box::new(n),
        ("integer", Value::Integer(n)) => Box::new(n as i32),
        ("smallint", Value::Integer(n)) => Box::new(n as i16),
        ("boolean", Value::Integer(n)) => Box::new(n != 0),
        ("double precision", Value::Real(x)) => Box::new(x),
        ("double precision", Value::Integer(n)) => Box::new(n as f64),
        (_, Value::Text(t)) => Box::new(t),
        (_, Value::Integer(n)) => Box::new(n.to_string()),
        (_, Value::Real(x)) => Box::new(x.to_string()),
        (_, Value::Blob(b)) => Box::new(String::from_utf8_lossy(&b).into_owned()),
    }
}

async fn copy_table(
    source: &rusqlite::Connection,
    tx: &tokio_postgres::Transaction<'_>,
    table: &str,
    key: &str,
    columns: &[Column],
) -> Result<i64, MigrateError> {
    let names: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
    let is_reports = table == "reports";
    let mut insert_columns = names.clone();
    if is_reports {
        insert_columns.push("searchable".into());
    }
    let marks: Vec<String> = (1..=insert_columns.len()).map(|i| format!("${i}")).collect();
    let insert = tx
        .prepare(&format!("INSERT INTO {table} ({}) VALUES ({})", insert_columns.join(", "), marks.join(", ")))
        .await?;
    let mut stmt = source.prepare(&format!("SELECT {} FROM {table} ORDER BY {key}", names.join(", ")))?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(row) = rows.next()? {
        let mut values: Vec<Box<dyn ToSql + Sync + Send>> = Vec::with_capacity(insert_columns.len());
        let mut text = BTreeMap::new();
        for (i, c) in columns.iter().enumerate() {
            let mut v: Value = row.get(i)?;
            if is_reports {
                if let Value::Text(t) = &v {
                    text.insert(c.name.as_str(), t.clone());
                }
                // Set afterwards, when every report is there.
                if c.name == "duplicate_of" {
                    v = Value::Null;
                }
            }
            values.push(convert(v, &c.kind));
        }
        if is_reports {
            let get = |k: &str| text.get(k).map(String::as_str);
            let searchable = crate::storage::searchable(
                get("description").unwrap_or(""),
                get("tracking_code").unwrap_or(""),
                get("address"),
            );
            values.push(Box::new(searchable));
        }
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync)).collect();
        tx.execute(&insert, &refs).await?;
        n += 1;
    }
    Ok(n)
}

/// One value as both sides write it in a digest.
fn canonical_sqlite(v: Value, kind: &str) -> String {
    match (kind, v) {
        (_, Value::Null) => "∅".into(),
        ("boolean", Value::Integer(n)) => (n != 0).to_string(),
        ("double precision", Value::Integer(n)) => format!("{:?}", n as f64),
        (_, Value::Integer(n)) => n.to_string(),
        (_, Value::Real(x)) => format!("{x:?}"),
        (_, Value::Text(t)) => t,
        (_, Value::Blob(b)) => String::from_utf8_lossy(&b).into_owned(),
    }
}

fn digest_source(
    source: &rusqlite::Connection,
    table: &str,
    key: &str,
    columns: &[Column],
) -> Result<(i64, String), MigrateError> {
    let names: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
    let mut stmt = source.prepare(&format!("SELECT {} FROM {table} ORDER BY {key}", names.join(", ")))?;
    let mut rows = stmt.query([])?;
    let (mut hash, mut n) = (Sha256::new(), 0);
    while let Some(row) = rows.next()? {
        for (i, c) in columns.iter().enumerate() {
            hash.update(canonical_sqlite(row.get(i)?, &c.kind).as_bytes());
            hash.update([0x1f]);
        }
        hash.update([0x1e]);
        n += 1;
    }
    Ok((n, hex::encode(hash.finalize())))
}

async fn digest_target(
    target: &tokio_postgres::Client,
    table: &str,
    key: &str,
    columns: &[Column],
) -> Result<(i64, String), MigrateError> {
    let names: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
    let rows = target.query(&format!("SELECT {} FROM {table} ORDER BY {key}", names.join(", ")), &[]).await?;
    let mut hash = Sha256::new();
    for row in &rows {
        for (i, c) in columns.iter().enumerate() {
            let text = match c.kind.as_str() {
                "bigint" => row.try_get::<_, Option<i64>>(i)?.map(|n| n.to_string()),
                "integer" => row.try_get::<_, Option<i32>>(i)?.map(|n| n.to_string()),
                "smallint" => row.try_get::<_, Option<i16>>(i)?.map(|n| n.to_string()),
                "boolean" => row.try_get::<_, Option<bool>>(i)?.map(|b| b.to_string()),
                "double precision" => row.try_get::<_, Option<f64>>(i)?.map(|x| format!("{x:?}")),
                _ => row.try_get::<_, Option<String>>(i)?,
            };
            hash.update(text.unwrap_or_else(|| "∅".into()).as_bytes());
            hash.update([0x1f]);
        }
        hash.update([0x1e]);
    }
    Ok((rows.len() as i64, hex::encode(hash.finalize())))
}

async fn copy_photos(
    source: &rusqlite::Connection,
    from: &Path,
    store: &dyn PhotoStore,
    moved: &mut Moved,
) -> Result<(), MigrateError> {
    let mut stmt = source.prepare("SELECT key, sha256 FROM photos ORDER BY id")?;
    let photos: Vec<(String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let root = from.join("photos");
    for (key, sha256) in photos {
        let bytes = std::fs::read(root.join(&key)).map_err(|e| MigrateError::Photo(key.clone(), e))?;
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(MigrateError::Mismatch(format!("photo {key} on disk does not match its recorded sha256")));
        }
        store.put(&key, Bytes::from(bytes)).await.map_err(|e| MigrateError::Photo(key.clone(), e))?;
        let back = store.get(&key).await.map_err(|e| MigrateError::Photo(key.clone(), e))?;
        if hex::encode(Sha256::digest(&back)) != sha256 {
            return Err(MigrateError::Mismatch(format!("photo {key} reads back differently")));
        }
        moved.photos += 1;
        let thumb = thumb_key(&key);
        if let Ok(bytes) = std::fs::read(root.join(&thumb)) {
            store.put(&thumb, Bytes::from(bytes)).await.map_err(|e| MigrateError::Photo(thumb.clone(), e))?;
            moved.thumbnails += 1;
        }
    }
    // Unfinished uploads resume where they were.
    let mut stmt = source.prepare("SELECT id FROM uploads WHERE completed = 0")?;
    let open: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    for id in open {
        if let Ok(bytes) = std::fs::read(from.join("uploads").join(format!("{id}.part")))
            && !bytes.is_empty()
        {
            store.write_partial(&id, 0, Bytes::from(bytes)).await.map_err(|e| MigrateError::Photo(id.clone(), e))?;
            moved.partial_uploads += 1;
        }
    }
    Ok(())
}
