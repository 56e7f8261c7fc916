//! Reading rows into the model.

use rusqlite::Row;

use super::from_ms;
use crate::model::{Location, OnBehalfOf, Report, ReportId, ReportState, ReportSummary, Reporter, StateKind, Status};

/// The columns [`report_from_row`] reads, in its order.
pub(super) const REPORT_COLUMNS: &str = "id, state, category, description, lat, lon, accuracy_m, address, \
     reporter_name, reporter_phone, anonymous, on_behalf, for_name, for_phone, consent, \
     tracking_code, attention_reason, created_at, updated_at, public_url";

/// The columns [`summary_from_row`] reads, in its order.
pub(super) const SUMMARY_COLUMNS: &str = "r.id, r.state, r.category, r.description, r.address, r.tracking_code, \
     r.attention_reason, r.created_at, r.updated_at, \
     (SELECT count(*) FROM photos p WHERE p.report_id = r.id), \
     (SELECT thumb_file FROM photos p WHERE p.report_id = r.id ORDER BY position LIMIT 1), \
     r.server_status, \
     (SELECT reply FROM status_history h WHERE h.report_id = r.id AND h.reply IS NOT NULL ORDER BY h.at DESC, h.seq DESC LIMIT 1), \
     (SELECT unit_name FROM status_history h WHERE h.report_id = r.id AND h.unit_name IS NOT NULL ORDER BY h.at DESC, h.seq DESC LIMIT 1)";

pub(super) fn report_id(row: &Row<'_>, idx: usize) -> rusqlite::Result<ReportId> {
    let text: String = row.get(idx)?;
    text.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}

fn state_kind(row: &Row<'_>, idx: usize) -> rusqlite::Result<StateKind> {
    let text: String = row.get(idx)?;
    text.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}

fn state(kind: StateKind, tracking_code: Option<String>, reason: Option<String>) -> ReportState {
    match kind {
        StateKind::Draft => ReportState::Draft,
        StateKind::Queued => ReportState::Queued,
        StateKind::Sending => ReportState::Sending,
        StateKind::Sent => ReportState::Sent { tracking_code: tracking_code.unwrap_or_default() },
        StateKind::NeedsAttention => ReportState::NeedsAttention { reason: reason.unwrap_or_default() },
    }
}

/// A report without its photos and history (the caller loads those).
pub(super) fn report_from_row(row: &Row<'_>) -> rusqlite::Result<Report> {
    let lat: Option<f64> = row.get(4)?;
    let lon: Option<f64> = row.get(5)?;
    let location = match (lat, lon) {
        (Some(lat), Some(lon)) => Some(Location { lat, lon, accuracy_m: row.get(6)? }),
        _ => None,
    };
    let on_behalf: bool = row.get(11)?;
    Ok(Report {
        id: report_id(row, 0)?,
        state: state(state_kind(row, 1)?, row.get(15)?, row.get(16)?),
        category: row.get(2)?,
        description: row.get(3)?,
        location,
        address: row.get(7)?,
        reporter: Reporter { name: row.get(8)?, phone: row.get(9)?, anonymous: row.get(10)? },
        on_behalf_of: on_behalf
            .then(|| -> rusqlite::Result<OnBehalfOf> {
                Ok(OnBehalfOf { name: row.get(12)?, phone: row.get(13)?, consent: row.get(14)? })
            })
            .transpose()?,
        tracking_code: row.get(15)?,
        public_url: row.get(19)?,
        photos: Vec::new(),
        history: Vec::new(),
        created_at: from_ms(row.get(17)?),
        updated_at: from_ms(row.get(18)?),
    })
}

pub(super) fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<ReportSummary> {
    Ok(ReportSummary {
        id: report_id(row, 0)?,
        state: state_kind(row, 1)?,
        category: row.get(2)?,
        description: row.get(3)?,
        address: row.get(4)?,
        tracking_code: row.get(5)?,
        attention_reason: row.get(6)?,
        created_at: from_ms(row.get(7)?),
        updated_at: from_ms(row.get(8)?),
        photo_count: row.get(9)?,
        thumbnail: row.get(10)?,
        status: row.get::<_, Option<String>>(11)?.as_deref().and_then(Status::from_code),
        last_reply: row.get(12)?,
        unit_name: row.get(13)?,
    })
}
