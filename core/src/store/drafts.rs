//! Drafts: create, autosave, read, delete, submit.

use phananh_protocol::text::{clean_line, clean_optional, clean_text, fold};
use phananh_protocol::validate::{Submission, validate};
use phananh_protocol::{Limits, ServiceArea, ValidationError, ValidationErrors};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::row::{REPORT_COLUMNS, report_from_row};
use super::{Store, from_ms};
use crate::error::{Error, Result, StorageContext};
use crate::model::{DraftPatch, Photo, Report, ReportId, StateKind, Status, StatusEntry};

impl Store {
    /// Start a new draft with whatever fields are known; returns it.
    pub fn create_draft(&self, fields: &DraftPatch) -> Result<Report> {
        let id = ReportId::new();
        let now = self.now_ms();
        let mut columns =
            vec![("id", Value::Text(id.to_string())), ("created_at", now.into()), ("updated_at", now.into())];
        columns.extend(patch_columns(fields)?);
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let marks = vec!["?"; columns.len()].join(", ");
        let sql = format!("INSERT INTO reports ({}) VALUES ({marks})", names.join(", "));
        let mut conn = self.conn();
        let tx = conn.transaction().context("starting a draft")?;
        tx.prepare_cached(&sql)
            .and_then(|mut s| s.execute(params_from_iter(columns.into_iter().map(|(_, v)| v))))
            .context("saving a new draft")?;
        let report = load_report(&tx, id)?;
        tx.commit().context("saving a new draft")?;
        Ok(report)
    }

    /// Change some fields of a draft (or of a report that needs attention).
    ///
    /// One `UPDATE` statement however many fields are set; cheap enough to
    /// call on every autosave.
    pub fn update_draft(&self, id: ReportId, patch: &DraftPatch) -> Result<()> {
        let mut columns = patch_columns(patch)?;
        columns.push(("updated_at", self.now_ms().into()));
        let sets: Vec<String> = columns.iter().map(|(n, _)| format!("{n} = ?")).collect();
        let sql =
            format!("UPDATE reports SET {} WHERE id = ? AND state IN ('draft', 'needs_attention')", sets.join(", "));
        let conn = self.conn();
        let mut values: Vec<Value> = columns.into_iter().map(|(_, v)| v).collect();
        values.push(Value::Text(id.to_string()));
        let changed = conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.execute(params_from_iter(values)))
            .context("saving a draft")?;
        if changed == 0 {
            return Err(not_editable_or_missing(&conn, id)?);
        }
        Ok(())
    }

    /// A report with its photos and status history.
    pub fn get(&self, id: ReportId) -> Result<Report> {
        load_report(&self.conn(), id)
    }

    /// Delete a report and its photo files. A report being sent right now
    /// cannot be deleted; a sent one is removed from this device only.
    pub fn delete(&self, id: ReportId) -> Result<()> {
        let files = {
            let mut conn = self.conn();
            let tx = conn.transaction().context("deleting a report")?;
            let state = state_of(&tx, id)?.ok_or(Error::NotFound(id))?;
            if state == StateKind::Sending {
                return Err(Error::NotEditable { id, state });
            }
            let files = super::photos::files_of(&tx, id)?;
            tx.execute("DELETE FROM reports WHERE id = ?1", [id.to_string()]).context("deleting a report")?;
            tx.commit().context("deleting a report")?;
            files
        };
        // Rows first, files after: a crash in between leaves only orphan
        // files, which the next open sweeps away.
        self.remove_files(files);
        Ok(())
    }

    /// Delete a draft nobody has written anything in (the user opened "new
    /// report" and left); anything else stays. Whether it was deleted.
    pub fn discard_if_untouched(&self, id: ReportId) -> Result<bool> {
        if !self.get(id)?.is_untouched() {
            return Ok(false);
        }
        self.delete(id)?;
        Ok(true)
    }

    /// Validate a draft and queue it for sending, in one transaction.
    ///
    /// Phones are stored normalised (E.164); a report not filed for a
    /// neighbour loses any neighbour fields typed earlier, so they never
    /// leave the phone.
    pub fn submit(&self, id: ReportId) -> Result<Report> {
        let mut conn = self.conn();
        let tx = conn.transaction().context("submitting a report")?;
        let report = load_report(&tx, id)?;
        let state = report.state.kind();
        if !state.is_editable() {
            return Err(Error::NotEditable { id, state });
        }
        let limits: Limits = super::meta::get_json(&tx, super::meta::LIMITS)?.unwrap_or_default();
        let area: Option<ServiceArea> = super::meta::get_json(&tx, super::meta::SERVICE_AREA)?;
        let behalf = report.on_behalf_of.clone().unwrap_or_default();
        let submission = Submission {
            category: report.category.as_deref(),
            description: &report.description,
            position: report.location.map(|l| (l.lat, l.lon, l.accuracy_m)),
            address: report.address.as_deref(),
            reporter_name: report.reporter.name.as_deref(),
            reporter_phone: report.reporter.phone.as_deref(),
            on_behalf: report.on_behalf_of.is_some(),
            for_name: behalf.name.as_deref(),
            for_phone: behalf.phone.as_deref(),
            consent: behalf.consent,
            photo_count: report.photos.len(),
            photo_bytes: report.photos.iter().map(|p| p.bytes).sum(),
        };
        let normalized = validate(&submission, &limits, area.as_ref())?;
        let now = self.now_ms();
        tx.prepare_cached(
            "UPDATE reports SET state = 'queued', attention_reason = NULL, reporter_phone = ?2,
                 for_name = CASE WHEN on_behalf THEN for_name END,
                 for_name_fold = CASE WHEN on_behalf THEN for_name_fold ELSE '' END,
                 for_phone = ?3,
                 consent = CASE WHEN on_behalf THEN consent ELSE 0 END,
                 queued_at = ?4, updated_at = ?4, attempts = 0, next_attempt_at = NULL
             WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![id.to_string(), normalized.reporter_phone, normalized.for_phone, now]))
        .context("queueing a report")?;
        let report = load_report(&tx, id)?;
        tx.commit().context("queueing a report")?;
        Ok(report)
    }
}

/// The columns a patch sets, with text cleaned and search folds alongside.
fn patch_columns(p: &DraftPatch) -> Result<Vec<(&'static str, Value)>> {
    let mut out: Vec<(&'static str, Value)> = Vec::new();
    let opt_text = |v: &Option<String>| -> Value { clean_optional(v.as_deref()).map_or(Value::Null, Value::Text) };
    if let Some(v) = &p.category {
        out.push(("category", opt_text(v)));
    }
    if let Some(v) = &p.description {
        let text = clean_text(v);
        out.push(("description_fold", Value::Text(fold(&text))));
        out.push(("description", Value::Text(text)));
    }
    if let Some(loc) = &p.location {
        let (lat, lon, acc) = match loc {
            Some(l) => {
                // NaN cannot be stored (SQLite turns it into NULL), so it is
                // refused now rather than silently lost; ranges wait for submit.
                let mut errors = Vec::new();
                if !l.lat.is_finite() {
                    errors.push(ValidationError::LatitudeInvalid);
                }
                if !l.lon.is_finite() {
                    errors.push(ValidationError::LongitudeInvalid);
                }
                if l.accuracy_m.is_some_and(|a| !a.is_finite()) {
                    errors.push(ValidationError::AccuracyInvalid);
                }
                if !errors.is_empty() {
                    return Err(ValidationErrors(errors).into());
                }
                (Value::Real(l.lat), Value::Real(l.lon), l.accuracy_m.map_or(Value::Null, Value::Real))
            }
            None => (Value::Null, Value::Null, Value::Null),
        };
        out.extend([("lat", lat), ("lon", lon), ("accuracy_m", acc)]);
    }
    if let Some(v) = &p.address {
        let text = clean_optional(v.as_deref());
        out.push(("address_fold", Value::Text(text.as_deref().map(fold).unwrap_or_default())));
        out.push(("address", text.map_or(Value::Null, Value::Text)));
    }
    if let Some(v) = &p.reporter_name {
        out.push(("reporter_name", opt_text(v)));
    }
    if let Some(v) = &p.reporter_phone {
        out.push(("reporter_phone", opt_text(v)));
    }
    if let Some(v) = p.anonymous {
        out.push(("anonymous", Value::Integer(v.into())));
    }
    if let Some(v) = p.on_behalf {
        out.push(("on_behalf", Value::Integer(v.into())));
    }
    if let Some(v) = &p.for_name {
        let text = v.as_deref().map(clean_line).filter(|s| !s.is_empty());
        out.push(("for_name_fold", Value::Text(text.as_deref().map(fold).unwrap_or_default())));
        out.push(("for_name", text.map_or(Value::Null, Value::Text)));
    }
    if let Some(v) = &p.for_phone {
        out.push(("for_phone", opt_text(v)));
    }
    if let Some(v) = p.consent {
        out.push(("consent", Value::Integer(v.into())));
    }
    Ok(out)
}

pub(super) fn state_of(conn: &Connection, id: ReportId) -> Result<Option<StateKind>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT state FROM reports WHERE id = ?1")
        .and_then(|mut s| s.query_row([id.to_string()], |r| r.get(0)).optional())
        .context("reading a report's state")?;
    text.map(|t| t.parse().map_err(|_| Error::Corrupt(format!("unknown state {t:?}")))).transpose()
}

/// Why a write that should have changed a row did not.
pub(super) fn not_editable_or_missing(conn: &Connection, id: ReportId) -> Result<Error> {
    Ok(match state_of(conn, id)? {
        Some(state) => Error::NotEditable { id, state },
        None => Error::NotFound(id),
    })
}

pub(super) fn load_report(conn: &Connection, id: ReportId) -> Result<Report> {
    let mut report = conn
        .prepare_cached(&format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?1"))
        .and_then(|mut s| s.query_row([id.to_string()], report_from_row).optional())
        .context("reading a report")?
        .ok_or(Error::NotFound(id))?;
    report.photos = conn
        .prepare_cached(
            "SELECT id, file, thumb_file, sha256, bytes, width, height FROM photos WHERE report_id = ?1 ORDER BY position",
        )
        .and_then(|mut s| {
            s.query_map([id.to_string()], |r| {
                let pid: String = r.get(0)?;
                Ok(Photo {
                    id: pid.parse().map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
                    })?,
                    file: r.get(1)?,
                    thumb_file: r.get(2)?,
                    sha256: r.get(3)?,
                    bytes: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                    width: r.get(5)?,
                    height: r.get(6)?,
                })
            })?
            .collect()
        })
        .context("reading a report's photos")?;
    report.history = conn
        .prepare_cached(
            "SELECT status, at, reply, unit_code, unit_name, due_at FROM status_history
             WHERE report_id = ?1 ORDER BY at, seq",
        )
        .and_then(|mut s| {
            s.query_map([id.to_string()], |r| {
                let unit: Option<(String, String)> = match (r.get(3)?, r.get(4)?) {
                    (Some(code), Some(name)) => Some((code, name)),
                    _ => None,
                };
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get(2)?, unit, r.get::<_, Option<i64>>(5)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .context("reading a report's history")?
        .into_iter()
        .map(|(status, at, reply, unit, due_at)| {
            let status =
                Status::from_code(&status).ok_or_else(|| Error::Corrupt(format!("unknown status {status:?}")))?;
            Ok(StatusEntry { status, at: from_ms(at), reply, unit, due_at: due_at.map(from_ms) })
        })
        .collect::<Result<_>>()?;
    Ok(report)
}
