//! [`Storage`] on SQLite: one connection, WAL, `synchronous=FULL`, group
//! commit (see [`Db`]). Each method runs its SQL as one call on the
//! database thread.

mod accounts;
pub mod db;
mod feedback;
mod overview;
mod reports;
mod staff;
mod uploads;

use std::path::Path;

use phananh_protocol::ServiceArea;
use phananh_protocol::wire::{Category, ReportStatus};

use super::db::Db;
use super::*;

/// The SQLite store: `server.sqlite3` in the data directory.
#[derive(Clone)]
pub struct SqliteStorage {
    db: Db,
    clock: std::sync::Arc<dyn phananh_protocol::Clock>,
}

impl SqliteStorage {
    /// Open (or create) the database file.
    pub fn open(path: &Path) -> anyhow::Result<SqliteStorage> {
        SqliteStorage::open_with_clock(path, std::sync::Arc::new(phananh_protocol::SystemClock))
    }

    /// Open with a clock (tests move time with a `ManualClock`).
    pub fn open_with_clock(
        path: &Path,
        clock: std::sync::Arc<dyn phananh_protocol::Clock>,
    ) -> anyhow::Result<SqliteStorage> {
        Ok(SqliteStorage { db: Db::open(path)?, clock })
    }
}

impl Storage for SqliteStorage {
    fn add_device(&self, device_id: String, token_hash: String) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| accounts::add_device(c, &device_id, &token_hash, now)))
    }
    fn device_for_token(&self, token_hash: String) -> Fut<'_, Option<String>> {
        Box::pin(self.db.call(move |c| accounts::device_for_token(c, &token_hash)))
    }
    fn add_api_key(&self, name: String, key_hash: String) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| accounts::add_api_key(c, &name, &key_hash, now)))
    }
    fn api_key_known(&self, key_hash: String) -> Fut<'_, bool> {
        Box::pin(self.db.call(move |c| accounts::api_key_known(c, &key_hash)))
    }

    fn categories(&self) -> Fut<'_, Vec<Category>> {
        Box::pin(self.db.call(|c| Ok(accounts::categories(c)?)))
    }
    fn add_categories(&self, categories: Vec<Category>) -> Fut<'_, ()> {
        Box::pin(self.db.call(move |c| accounts::add_categories(c, &categories)))
    }
    fn service_area(&self) -> Fut<'_, Option<ServiceArea>> {
        Box::pin(self.db.call(|c| accounts::service_area(c)))
    }
    fn set_service_area(&self, area: ServiceArea) -> Fut<'_, ()> {
        Box::pin(self.db.call(move |c| accounts::set_service_area(c, &area)))
    }

    fn replay(&self, client_id: String, device: String, body_hash: String) -> Fut<'_, Option<u16>> {
        Box::pin(self.db.call(move |c| reports::replay(c, &client_id, Some(&device), &body_hash)))
    }
    fn create_report(&self, report: NewReport, prefix: String) -> Fut<'_, Created> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| reports::create(c, &report, &prefix, now)))
    }
    fn report_status(&self, client_id: String, device: Option<String>) -> Fut<'_, ReportStatus> {
        Box::pin(self.db.call(move |c| reports::status(c, &client_id, device.as_deref())))
    }
    fn changes(&self, device: String, after: i64, limit: u32) -> Fut<'_, ChangesSlice> {
        Box::pin(self.db.call(move |c| reports::changes(c, &device, after, limit)))
    }
    fn open_reports_in(&self, area: ServiceArea, category: Option<String>) -> Fut<'_, Vec<OpenReport>> {
        Box::pin(self.db.call(move |c| reports::open_in(c, &area, category.as_deref())))
    }
    fn public_report(&self, tracking_code: String) -> Fut<'_, Option<PublicReport>> {
        Box::pin(self.db.call(move |c| reports::public(c, &tracking_code)))
    }
    fn report_id(&self, tracking_code: String) -> Fut<'_, Option<i64>> {
        Box::pin(self.db.call(move |c| {
            use rusqlite::OptionalExtension;
            Ok(c.query_row("SELECT id FROM reports WHERE tracking_code = ?1", [tracking_code], |r| r.get(0))
                .optional()?)
        }))
    }
    fn photo_key(&self, tracking_code: String, n: u32, kind: PhotoKind) -> Fut<'_, Option<String>> {
        Box::pin(self.db.call(move |c| reports::photo_key(c, &tracking_code, n, kind as i64)))
    }
    fn attach_photo(&self, photo: AttachedPhoto) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| reports::attach_photo(c, &photo, now)))
    }
    fn open311_requests(&self, filter: Open311Filter) -> Fut<'_, Vec<Open311Request>> {
        Box::pin(self.db.call(move |c| reports::open311(c, &filter)))
    }

    fn start_upload(&self, upload: NewUpload) -> Fut<'_, Result<(String, i64), UploadRefusal>> {
        Box::pin(self.db.call(move |c| uploads::start(c, &upload)))
    }
    fn upload(&self, id: String, device: String) -> Fut<'_, Option<Upload>> {
        Box::pin(self.db.call(move |c| uploads::find(c, &id, &device)))
    }
    fn set_upload_offset(&self, id: String, offset: u64) -> Fut<'_, ()> {
        Box::pin(self.db.call(move |c| uploads::set_offset(c, &id, offset)))
    }
    fn complete_upload(&self, id: String, photo: AttachedPhoto) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| uploads::complete(c, &id, &photo, now)))
    }
    fn delete_upload(&self, id: String) -> Fut<'_, ()> {
        Box::pin(self.db.call(move |c| uploads::delete(c, &id)))
    }
    fn sweep_expired_uploads(&self, now_ms: i64) -> Fut<'_, Vec<String>> {
        Box::pin(self.db.call(move |c| uploads::sweep(c, now_ms)))
    }

    fn report_facts(&self, key: String, by_code: bool) -> Fut<'_, Option<ReportFacts>> {
        Box::pin(self.db.call(move |c| feedback::facts(c, &key, by_code)))
    }
    fn feedback_known(&self, client_id: String) -> Fut<'_, bool> {
        Box::pin(self.db.call(move |c| feedback::known(c, &client_id)))
    }
    fn rate(&self, report_id: i64, rating: NewRating) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| feedback::rate(c, report_id, &rating, now)))
    }
    fn reopen(&self, report_id: i64, reopen: NewReopen) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| feedback::reopen(c, report_id, &reopen, now)))
    }
    fn follow(&self, report_id: i64, device: String, me_too: bool, photos: Vec<DeclaredPhoto>) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| feedback::follow(c, report_id, &device, me_too, &photos, now)))
    }
    fn unit_stats(&self, from: i64, to: i64, now: i64, top: String) -> Fut<'_, Vec<UnitStats>> {
        Box::pin(self.db.call(move |c| feedback::unit_stats(c, from, to, now, &top)))
    }
    fn figure_delta(&self, since: i64, reopens_after: i64) -> Fut<'_, FigureDelta> {
        Box::pin(self.db.call(move |c| overview::figure_delta(c, since, reopens_after)))
    }
    fn map_cells(&self, query: MapQuery) -> Fut<'_, Vec<MapCell>> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| overview::map_cells(c, &query, now)))
    }
    fn export_rows(&self, filter: ReportFilter, limit: u32) -> Fut<'_, Vec<ExportRow>> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| overview::export_rows(c, &filter, now, limit)))
    }
    fn unplaced_reports(&self, limit: u32) -> Fut<'_, Vec<(String, f64, f64)>> {
        Box::pin(self.db.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT tracking_code, lat, lon FROM reports
                 WHERE place_code IS NULL AND lat IS NOT NULL AND lon IS NOT NULL LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }
    fn set_places(&self, places: Vec<(String, Option<String>)>) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| {
            let sp = c.savepoint()?;
            for (code, place) in &places {
                // A change the overview's figures must read (by `updated_at`).
                sp.execute(
                    "UPDATE reports SET place_code = ?2, updated_at = max(updated_at, ?3) WHERE tracking_code = ?1",
                    rusqlite::params![code, place.as_deref().unwrap_or(""), now],
                )?;
            }
            sp.commit()?;
            Ok(())
        }))
    }

    fn put_staff(&self, name: String, password_hash: String, role: Role, unit: Option<String>) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| staff::put(c, &name, &password_hash, role, unit.as_deref(), now)))
    }
    fn staff_accounts(&self) -> Fut<'_, Vec<StaffAccount>> {
        Box::pin(self.db.call(|c| staff::accounts(c)))
    }
    fn disable_staff(&self, name: String) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| staff::disable(c, &name, now)))
    }
    fn officers_in(&self, unit: String) -> Fut<'_, i64> {
        Box::pin(self.db.call(move |c| staff::officers_in(c, &unit)))
    }
    fn act(&self, staff_id: i64, tracking_code: String, action: ReportAction) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| staff::act(c, staff_id, &tracking_code, &action, now)))
    }
    fn staff_count(&self) -> Fut<'_, i64> {
        Box::pin(self.db.call(|c| staff::count(c)))
    }
    fn staff_credentials(&self, name: String) -> Fut<'_, Option<(i64, String)>> {
        Box::pin(self.db.call(move |c| staff::credentials(c, &name)))
    }
    fn open_session(&self, token_hash: String, staff_id: i64, csrf: String, expires_at: i64) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| staff::open_session(c, &token_hash, staff_id, &csrf, expires_at, now)))
    }
    fn session(&self, token_hash: String, now_ms: i64) -> Fut<'_, Option<Staff>> {
        Box::pin(self.db.call(move |c| staff::session(c, &token_hash, now_ms)))
    }
    fn close_session(&self, token_hash: String) -> Fut<'_, ()> {
        Box::pin(self.db.call(move |c| staff::close_session(c, &token_hash)))
    }
    fn staff_reports(&self, filter: ReportFilter) -> Fut<'_, Vec<StaffReport>> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| staff::reports(c, &filter, now)))
    }
    fn staff_report(&self, tracking_code: String) -> Fut<'_, Option<StaffReport>> {
        Box::pin(self.db.call(move |c| staff::report(c, &tracking_code)))
    }
    fn change_status(&self, change: StatusUpdate) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| staff::change_status(c, &change, now)))
    }
    fn mark_duplicate(&self, staff_id: i64, tracking_code: String, of: String, reply: String) -> Fut<'_, ()> {
        let now = self.clock.now_ms();
        Box::pin(self.db.call(move |c| staff::mark_duplicate(c, staff_id, &tracking_code, &of, &reply, now)))
    }

    fn audit(&self, e: AuditEntry) -> Fut<'_, ()> {
        Box::pin(self.db.call(move |c| {
            c.execute(
                "INSERT INTO audit_log (at, staff_id, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![e.at, e.staff_id, e.actor, e.action, e.subject, e.detail],
            )?;
            Ok(())
        }))
    }
    fn audit_log(&self, limit: u32) -> Fut<'_, Vec<AuditEntry>> {
        Box::pin(self.db.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT at, staff_id, actor, action, subject, detail FROM audit_log ORDER BY seq DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], |r| {
                Ok(AuditEntry {
                    at: r.get(0)?,
                    staff_id: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    subject: r.get(4)?,
                    detail: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }
    fn checkpoint(&self) {
        self.db.checkpoint();
    }
}
