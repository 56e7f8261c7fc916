//! [`Storage`] on PostgreSQL, for a province: several server replicas share
//! one database.
//!
//! `tokio-postgres` with a `deadpool-postgres` pool: async all the way (no
//! blocking thread per query, as SQLite needs), SQL written out as the
//! SQLite store writes it (no query builder, no compile-time database as
//! `sqlx`'s checked macros want), and a small dependency tree. Each method
//! is one unit of work: a transaction where it writes more than one row
//! (where SQLite's group commit gave a savepoint), a single statement
//! otherwise. PostgreSQL commits each on its own; `synchronous_commit`
//! stays on, so a 2xx still means "on disk".
//!
//! The residents' changes feed is read by sequence number after a cursor,
//! so sequence order must be commit order: every transaction that writes
//! to it takes one advisory lock ([`FEED_LOCK`]) first and holds it to its
//! commit. Feed writes are status steps (a few per report), so the queue
//! behind that lock stays short.

mod accounts;
mod coordination;
mod feedback;
mod overview;
mod reports;
pub mod schema;
mod staff;
mod uploads;

use std::sync::Arc;

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use phananh_protocol::ServiceArea;
use phananh_protocol::wire::{Category, ReportStatus};
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

use super::*;

pub use coordination::PgCoordination;

/// The advisory lock every writer of the changes feed (and of reopens,
/// read the same way) holds until it commits.
const FEED_LOCK: i64 = 0x7068_616e_616e_6802;

/// Connections per replica: enough for a 2-core server's concurrent
/// requests; PostgreSQL's default `max_connections` (100) leaves room for
/// several replicas.
const POOL_SIZE: usize = 16;

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStorage {
    pool: Pool,
    clock: Arc<dyn phananh_protocol::Clock>,
    /// The schema is brought up to date before the first call is served.
    migrated: Arc<tokio::sync::OnceCell<()>>,
}

impl From<tokio_postgres::Error> for StorageError {
    fn from(e: tokio_postgres::Error) -> Self {
        StorageError::backend(e)
    }
}

impl From<deadpool_postgres::PoolError> for StorageError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StorageError::backend(e)
    }
}

impl PgStorage {
    /// A store on `url` (`postgres://user:password@host:port/database`):
    /// the pool is made now, connections as calls need them; the first
    /// call brings the schema up to date. Nothing is awaited, so this can
    /// be called where the SQLite store is opened.
    pub fn new(url: &str, clock: Arc<dyn phananh_protocol::Clock>) -> Result<PgStorage, StorageError> {
        let config: tokio_postgres::Config = url.parse().map_err(StorageError::backend)?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(std::time::Duration::from_secs(30)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .build()
            .map_err(StorageError::backend)?;
        Ok(PgStorage { pool, clock, migrated: Arc::default() })
    }

    /// [`PgStorage::new`], then connect and migrate now (an unreachable
    /// server or a newer schema is an error here, not at the first request).
    pub async fn connect(url: &str, clock: Arc<dyn phananh_protocol::Clock>) -> Result<PgStorage, StorageError> {
        let store = PgStorage::new(url, clock)?;
        drop(store.client().await?);
        Ok(store)
    }

    /// A connection from the pool (the schema migrated first, once).
    async fn client(&self) -> Result<deadpool_postgres::Object, StorageError> {
        self.migrated
            .get_or_try_init(|| async {
                let mut client = self.pool.get().await?;
                schema::migrate(&mut client).await
            })
            .await?;
        Ok(self.pool.get().await?)
    }
}

/// Take the feed's lock for the rest of the transaction.
async fn lock_feed(tx: &impl GenericClient) -> Result<(), StorageError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&FEED_LOCK]).await?;
    Ok(())
}

/// Whether an error is a unique-key violation (a concurrent twin won).
fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

/// Arguments built up with a query's text (filters), bound as one slice.
#[derive(Default)]
struct Args(Vec<Box<dyn ToSql + Sync + Send>>);

impl Args {
    /// Add an argument; its placeholder (`$n`).
    fn push(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.0.push(Box::new(value));
        format!("${}", self.0.len())
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.0.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync)).collect()
    }
}

impl Storage for PgStorage {
    fn add_device(&self, device_id: String, token_hash: String) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move { accounts::add_device(&self.client().await?, &device_id, &token_hash, now).await })
    }
    fn device_for_token(&self, token_hash: String) -> Fut<'_, Option<String>> {
        Box::pin(async move { accounts::device_for_token(&self.client().await?, &token_hash).await })
    }
    fn add_api_key(&self, name: String, key_hash: String) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move { accounts::add_api_key(&self.client().await?, &name, &key_hash, now).await })
    }
    fn api_key_known(&self, key_hash: String) -> Fut<'_, bool> {
        Box::pin(async move { accounts::api_key_known(&self.client().await?, &key_hash).await })
    }

    fn categories(&self) -> Fut<'_, Vec<Category>> {
        Box::pin(async move { accounts::categories(&self.client().await?).await })
    }
    fn add_categories(&self, categories: Vec<Category>) -> Fut<'_, ()> {
        Box::pin(async move { accounts::add_categories(&mut self.client().await?, &categories).await })
    }
    fn service_area(&self) -> Fut<'_, Option<ServiceArea>> {
        Box::pin(async move { accounts::service_area(&self.client().await?).await })
    }
    fn set_service_area(&self, area: ServiceArea) -> Fut<'_, ()> {
        Box::pin(async move { accounts::set_service_area(&self.client().await?, &area).await })
    }

    fn replay(&self, client_id: String, device: String, body_hash: String) -> Fut<'_, Option<u16>> {
        Box::pin(async move { reports::replay(&self.client().await?, &client_id, Some(&device), &body_hash).await })
    }
    fn create_report(&self, report: NewReport, prefix: String) -> Fut<'_, Created> {
        let now = self.clock.now_ms();
        Box::pin(async move { reports::create(&mut self.client().await?, &report, &prefix, now).await })
    }
    fn report_status(&self, client_id: String, device: Option<String>) -> Fut<'_, ReportStatus> {
        Box::pin(async move { reports::status(&self.client().await?, &client_id, device.as_deref()).await })
    }
    fn changes(&self, device: String, after: i64, limit: u32) -> Fut<'_, ChangesSlice> {
        Box::pin(async move { reports::changes(&self.client().await?, &device, after, limit).await })
    }
    fn open_reports_in(&self, area: ServiceArea, category: Option<String>) -> Fut<'_, Vec<OpenReport>> {
        Box::pin(async move { reports::open_in(&self.client().await?, &area, category.as_deref()).await })
    }
    fn public_report(&self, tracking_code: String) -> Fut<'_, Option<PublicReport>> {
        Box::pin(async move { reports::public(&self.client().await?, &tracking_code).await })
    }
    fn report_id(&self, tracking_code: String) -> Fut<'_, Option<i64>> {
        Box::pin(async move {
            let c = self.client().await?;
            let row = c.query_opt("SELECT id FROM reports WHERE tracking_code = $1", &[&tracking_code]).await?;
            Ok(row.map(|r| r.try_get(0)).transpose()?)
        })
    }
    fn photo_key(&self, tracking_code: String, n: u32, kind: PhotoKind) -> Fut<'_, Option<String>> {
        Box::pin(async move { reports::photo_key(&self.client().await?, &tracking_code, n, kind as i16).await })
    }
    fn attach_photo(&self, photo: AttachedPhoto) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            reports::attach_photo(&tx, &photo, now).await?;
            Ok(tx.commit().await?)
        })
    }
    fn open311_requests(&self, filter: Open311Filter) -> Fut<'_, Vec<Open311Request>> {
        Box::pin(async move { reports::open311(&self.client().await?, &filter).await })
    }

    fn start_upload(&self, upload: NewUpload) -> Fut<'_, Result<(String, i64), UploadRefusal>> {
        Box::pin(async move { uploads::start(&mut self.client().await?, &upload).await })
    }
    fn upload(&self, id: String, device: String) -> Fut<'_, Option<Upload>> {
        Box::pin(async move { uploads::find(&self.client().await?, &id, &device).await })
    }
    fn set_upload_offset(&self, id: String, offset: u64) -> Fut<'_, ()> {
        Box::pin(async move { uploads::set_offset(&self.client().await?, &id, offset).await })
    }
    fn complete_upload(&self, id: String, photo: AttachedPhoto) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move { uploads::complete(&mut self.client().await?, &id, &photo, now).await })
    }
    fn delete_upload(&self, id: String) -> Fut<'_, ()> {
        Box::pin(async move { uploads::delete(&self.client().await?, &id).await })
    }
    fn sweep_expired_uploads(&self, now_ms: i64) -> Fut<'_, Vec<String>> {
        Box::pin(async move { uploads::sweep(&self.client().await?, now_ms).await })
    }

    fn report_facts(&self, key: String, by_code: bool) -> Fut<'_, Option<ReportFacts>> {
        Box::pin(async move { feedback::facts(&self.client().await?, &key, by_code).await })
    }
    fn feedback_known(&self, client_id: String) -> Fut<'_, bool> {
        Box::pin(async move { feedback::known(&self.client().await?, &client_id).await })
    }
    fn rate(&self, report_id: i64, rating: NewRating) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move { feedback::rate(&self.client().await?, report_id, &rating, now).await })
    }
    fn reopen(&self, report_id: i64, reopen: NewReopen) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move { feedback::reopen(&mut self.client().await?, report_id, &reopen, now).await })
    }
    fn follow(&self, report_id: i64, device: String, me_too: bool, photos: Vec<DeclaredPhoto>) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(
            async move { feedback::follow(&mut self.client().await?, report_id, &device, me_too, &photos, now).await },
        )
    }
    fn unit_stats(&self, from: i64, to: i64, now: i64, top: String) -> Fut<'_, Vec<UnitStats>> {
        Box::pin(async move { feedback::unit_stats(&self.client().await?, from, to, now, &top).await })
    }
    fn figure_delta(&self, since: i64, reopens_after: i64) -> Fut<'_, FigureDelta> {
        Box::pin(async move { overview::figure_delta(&self.client().await?, since, reopens_after).await })
    }
    fn map_cells(&self, query: MapQuery) -> Fut<'_, Vec<MapCell>> {
        let now = self.clock.now_ms();
        Box::pin(async move { overview::map_cells(&self.client().await?, &query, now).await })
    }
    fn export_rows(&self, filter: ReportFilter, limit: u32) -> Fut<'_, Vec<ExportRow>> {
        let now = self.clock.now_ms();
        Box::pin(async move { overview::export_rows(&self.client().await?, &filter, now, limit).await })
    }
    fn unplaced_reports(&self, limit: u32) -> Fut<'_, Vec<(String, f64, f64)>> {
        Box::pin(async move {
            let c = self.client().await?;
            let rows = c
                .query(
                    "SELECT tracking_code, lat, lon FROM reports
                     WHERE place_code IS NULL AND lat IS NOT NULL AND lon IS NOT NULL LIMIT $1",
                    &[&i64::from(limit)],
                )
                .await?;
            rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect()
        })
    }
    fn set_places(&self, places: Vec<(String, Option<String>)>) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            let update = tx
                .prepare(
                    "UPDATE reports SET place_code = $2, updated_at = greatest(updated_at, $3) WHERE tracking_code = $1",
                )
                .await?;
            for (code, place) in &places {
                // A change the overview's figures must read (by `updated_at`).
                tx.execute(&update, &[code, &place.as_deref().unwrap_or(""), &now]).await?;
            }
            Ok(tx.commit().await?)
        })
    }

    fn put_staff(&self, name: String, password_hash: String, role: Role, unit: Option<String>) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(
            async move { staff::put(&self.client().await?, &name, &password_hash, role, unit.as_deref(), now).await },
        )
    }
    fn staff_accounts(&self) -> Fut<'_, Vec<StaffAccount>> {
        Box::pin(async move { staff::accounts(&self.client().await?).await })
    }
    fn disable_staff(&self, name: String) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move { staff::disable(&mut self.client().await?, &name, now).await })
    }
    fn officers_in(&self, unit: String) -> Fut<'_, i64> {
        Box::pin(async move { staff::officers_in(&self.client().await?, &unit).await })
    }
    fn act(&self, staff_id: i64, tracking_code: String, action: ReportAction) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move { staff::act(&mut self.client().await?, staff_id, &tracking_code, &action, now).await })
    }
    fn staff_count(&self) -> Fut<'_, i64> {
        Box::pin(async move {
            let c = self.client().await?;
            Ok(c.query_one("SELECT count(*) FROM staff", &[]).await?.try_get(0)?)
        })
    }
    fn staff_credentials(&self, name: String) -> Fut<'_, Option<(i64, String)>> {
        Box::pin(async move { staff::credentials(&self.client().await?, &name).await })
    }
    fn open_session(&self, token_hash: String, staff_id: i64, csrf: String, expires_at: i64) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move {
            staff::open_session(&mut self.client().await?, &token_hash, staff_id, &csrf, expires_at, now).await
        })
    }
    fn session(&self, token_hash: String, now_ms: i64) -> Fut<'_, Option<Staff>> {
        Box::pin(async move { staff::session(&self.client().await?, &token_hash, now_ms).await })
    }
    fn close_session(&self, token_hash: String) -> Fut<'_, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            c.execute("DELETE FROM staff_sessions WHERE token_hash = $1", &[&token_hash]).await?;
            Ok(())
        })
    }
    fn staff_reports(&self, filter: ReportFilter) -> Fut<'_, Vec<StaffReport>> {
        let now = self.clock.now_ms();
        Box::pin(async move { staff::reports(&self.client().await?, &filter, now).await })
    }
    fn staff_report(&self, tracking_code: String) -> Fut<'_, Option<StaffReport>> {
        Box::pin(async move { staff::report(&self.client().await?, &tracking_code).await })
    }
    fn change_status(&self, change: StatusUpdate) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move { staff::change_status(&mut self.client().await?, &change, now).await })
    }
    fn mark_duplicate(&self, staff_id: i64, tracking_code: String, of: String, reply: String) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(async move {
            staff::mark_duplicate(&mut self.client().await?, staff_id, &tracking_code, &of, &reply, now).await
        })
    }

    fn audit(&self, e: AuditEntry) -> Fut<'_, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            c.execute(
                "INSERT INTO audit_log (at, staff_id, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&e.at, &e.staff_id, &e.actor, &e.action, &e.subject, &e.detail],
            )
            .await?;
            Ok(())
        })
    }
    fn audit_log(&self, limit: u32) -> Fut<'_, Vec<AuditEntry>> {
        Box::pin(async move {
            let c = self.client().await?;
            let rows = c
                .query(
                    "SELECT at, staff_id, actor, action, subject, detail FROM audit_log ORDER BY seq DESC LIMIT $1",
                    &[&i64::from(limit)],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(AuditEntry {
                        at: r.try_get(0)?,
                        staff_id: r.try_get(1)?,
                        actor: r.try_get(2)?,
                        action: r.try_get(3)?,
                        subject: r.try_get(4)?,
                        detail: r.try_get(5)?,
                    })
                })
                .collect()
        })
    }
    fn checkpoint(&self) {
        // PostgreSQL keeps its own log; nothing to fold back on shutdown.
    }
}
