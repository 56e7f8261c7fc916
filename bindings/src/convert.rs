//! From the core's types to the records the apps see (labels and relative
//! times in the chosen language), and back for inputs.

use phananh_core::format::{category_name, relative_time};
use phananh_core::model::{self, DraftPatch, StateKind, Status};
use phananh_core::protocol::wire::Services;
use phananh_core::{Lang, Store, sync};
use time::OffsetDateTime;

use crate::types::*;

pub(crate) fn lang(l: Language) -> Lang {
    match l {
        Language::Vi => Lang::Vi,
        Language::En => Lang::En,
    }
}

pub(crate) fn state(k: StateKind) -> ReportState {
    match k {
        StateKind::Draft => ReportState::Draft,
        StateKind::Queued => ReportState::Queued,
        StateKind::Sending => ReportState::Sending,
        StateKind::Sent => ReportState::Sent,
        StateKind::NeedsAttention => ReportState::NeedsAttention,
    }
}

pub(crate) fn state_kind(s: ReportState) -> StateKind {
    match s {
        ReportState::Draft => StateKind::Draft,
        ReportState::Queued => StateKind::Queued,
        ReportState::Sending => StateKind::Sending,
        ReportState::Sent => StateKind::Sent,
        ReportState::NeedsAttention => StateKind::NeedsAttention,
    }
}

pub(crate) fn status(s: Status) -> DistrictStatus {
    match s {
        Status::Received => DistrictStatus::Received,
        Status::InProgress => DistrictStatus::InProgress,
        Status::Resolved => DistrictStatus::Resolved,
        Status::Rejected => DistrictStatus::Rejected,
    }
}

pub(crate) fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// "287 KB", "1.4 MB".
pub(crate) fn size_label(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}

/// An empty text clears the field.
fn text(v: &Option<String>) -> Option<Option<String>> {
    v.as_ref().map(|t| if t.trim().is_empty() { None } else { Some(t.clone()) })
}

pub(crate) fn patch(f: &DraftFields) -> DraftPatch {
    DraftPatch {
        category: text(&f.category),
        description: f.description.clone(),
        location: if f.clear_location {
            Some(None)
        } else {
            f.location.map(|l| Some(model::Location { lat: l.lat, lon: l.lon, accuracy_m: l.accuracy_m }))
        },
        address: text(&f.address),
        reporter_name: text(&f.reporter_name),
        reporter_phone: text(&f.reporter_phone),
        anonymous: f.anonymous,
        on_behalf: f.on_behalf,
        for_name: text(&f.for_name),
        for_phone: text(&f.for_phone),
        consent: f.consent,
    }
}

pub(crate) fn photo(store: &Store, p: &model::Photo) -> PhotoView {
    PhotoView {
        id: p.id.to_string(),
        path: store.photo_path(&p.file).to_string_lossy().into_owned(),
        thumbnail_path: p.thumb_file.as_ref().map(|t| store.photo_path(t).to_string_lossy().into_owned()),
        bytes: p.bytes,
        size_label: size_label(p.bytes),
        width: p.width,
        height: p.height,
    }
}

pub(crate) fn report(store: &Store, services: Option<&Services>, r: &model::Report, l: Lang) -> ReportView {
    let now = OffsetDateTime::now_utc();
    let kind = r.state.kind();
    let current = r.history.last().map(|h| h.status);
    let behalf = r.on_behalf_of.clone().unwrap_or_default();
    ReportView {
        id: r.id.to_string(),
        state: state(kind),
        state_label: kind.label(l).to_owned(),
        editable: kind.is_editable(),
        category: r.category.clone(),
        category_name: r.category.as_deref().map(|c| category_name(services, c, l)),
        description: r.description.clone(),
        location: r.location.map(|p| Location { lat: p.lat, lon: p.lon, accuracy_m: p.accuracy_m }),
        location_label: r.location.map(|p| phananh_core::ui_text::location_label(p.lat, p.lon, p.accuracy_m, l)),
        address: r.address.clone(),
        reporter_name: r.reporter.name.clone(),
        reporter_phone: r.reporter.phone.clone(),
        anonymous: r.reporter.anonymous,
        on_behalf: r.on_behalf_of.is_some(),
        for_name: behalf.name,
        for_phone: behalf.phone,
        consent: behalf.consent,
        photos: r.photos.iter().map(|p| photo(store, p)).collect(),
        tracking_code: r.tracking_code.clone(),
        public_url: r.public_url.clone(),
        attention_reason: match &r.state {
            model::ReportState::NeedsAttention { reason } => Some(reason.clone()),
            _ => None,
        },
        status: current.map(status),
        status_label: current.map(|s| s.label(l).to_owned()),
        history: r
            .history
            .iter()
            .map(|h| HistoryEntry {
                status: status(h.status),
                status_label: h.status.label(l).to_owned(),
                at_ms: ms(h.at),
                at_relative: relative_time(h.at, now, l),
                reply: h.reply.clone(),
            })
            .collect(),
        created_at_ms: ms(r.created_at),
        created_relative: relative_time(r.created_at, now, l),
        updated_relative: relative_time(r.updated_at, now, l),
    }
}

pub(crate) fn row(store: &Store, services: Option<&Services>, s: &model::ReportSummary, l: Lang) -> ReportRow {
    ReportRow {
        id: s.id.to_string(),
        state: state(s.state),
        state_label: s.state.label(l).to_owned(),
        category_name: s.category.as_deref().map(|c| category_name(services, c, l)),
        description: s.description.clone(),
        tracking_code: s.tracking_code.clone(),
        status_label: s.status.map(|st| st.label(l).to_owned()),
        last_reply: s.last_reply.clone(),
        attention_reason: s.attention_reason.clone(),
        photo_count: s.photo_count,
        thumbnail_path: s.thumbnail.as_ref().map(|t| store.photo_path(t).to_string_lossy().into_owned()),
        updated_relative: relative_time(s.updated_at, OffsetDateTime::now_utc(), l),
    }
}

pub(crate) fn summary(s: &sync::SyncSummary) -> SyncSummary {
    SyncSummary {
        sent: s.sent,
        photos_sent: s.photos_sent,
        needs_attention: s.needs_attention,
        retrying: s.retrying,
        waiting: s.waiting,
        changes: s.changes,
        offline: s.offline,
        next_attempt_at_ms: s.next_attempt_at.map(ms),
    }
}

pub(crate) fn event(e: sync::SyncEvent, l: Lang) -> SyncEvent {
    use sync::SyncEvent as E;
    match e {
        E::ReportQueued { id } => SyncEvent::Queued { report_id: id.to_string() },
        E::ReportSending { id } => SyncEvent::Sending { report_id: id.to_string() },
        E::PhotoProgress { report, photo, sent, total } => {
            SyncEvent::PhotoProgress { report_id: report.to_string(), photo_id: photo.to_string(), sent, total }
        }
        E::ReportSent { id, tracking_code } => SyncEvent::Sent { report_id: id.to_string(), tracking_code },
        E::ReportRetrying { id, attempts, at, .. } => {
            SyncEvent::Retrying { report_id: id.to_string(), attempts, at_ms: ms(at) }
        }
        E::ReportNeedsAttention { id, reason } => SyncEvent::NeedsAttention { report_id: id.to_string(), reason },
        E::StatusChanged { id, status: s } => SyncEvent::StatusChanged {
            report_id: id.to_string(),
            status: status(s),
            status_label: s.label(l).to_owned(),
        },
        E::PassFinished(s) => SyncEvent::PassFinished { summary: summary(&s) },
    }
}

/// A status code from the server ("in_progress") as a label.
pub(crate) fn status_code_label(code: &str, l: Lang) -> String {
    Status::from_code(code).map(|s| s.label(l).to_owned()).unwrap_or_else(|| code.to_owned())
}
