//! From the core's model to the views: labels, sizes and times written
//! once, in the chosen language, for every shell and the CLI.

use time::OffsetDateTime;

use super::views::*;
use crate::Store;
use crate::format::{category_name, relative_time};
use crate::model::{self, DraftPatch, Report, ReportSummary};
use crate::protocol::wire::Services;
use crate::protocol::{Lang, vn_time};
use crate::store::{ActionState, Attached, Followed, NearbyHints};
use crate::sync;
use crate::ui_text::{distance_label, location_label};

/// What a view needs besides the data: the language, the cached category
/// names, the store (photo paths) and the time now.
pub(crate) struct Ctx<'a> {
    pub(crate) lang: Lang,
    pub(crate) services: Option<&'a Services>,
    pub(crate) store: &'a Store,
    pub(crate) now: OffsetDateTime,
}

/// "287 KB", "1.4 MB": as phones show file sizes (1 KB = 1000 bytes).
pub fn size_label(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}

/// "2,4 MB" in Vietnamese, "2.4 MB" in English; "310 KB" under a megabyte.
pub fn data_size(bytes: u64, lang: Lang) -> String {
    let text = size_label(bytes);
    if lang == Lang::Vi { text.replace('.', ",") } else { text }
}

/// "Đã dùng 2,4 MB dữ liệu": what a report's sending cost.
pub fn data_used_label(bytes: u64, lang: Lang) -> String {
    let size = data_size(bytes, lang);
    lang.pick(&format!("Đã dùng {size} dữ liệu"), &format!("Used {size} of data")).to_owned()
}

/// "Tháng này đã dùng 12,3 MB dữ liệu": every request this month.
pub fn data_used_month_label(bytes: u64, lang: Lang) -> String {
    let size = data_size(bytes, lang);
    lang.pick(&format!("Tháng này đã dùng {size} dữ liệu"), &format!("{size} of data used this month")).to_owned()
}

/// Fields to a patch: an empty text clears a field; a neighbour's name,
/// phone or consent means filing for a neighbour unless `on_behalf` says no.
pub(crate) fn patch(f: &DraftFields) -> DraftPatch {
    let text = |v: &Option<String>| v.as_ref().map(|t| Some(t.clone()).filter(|t| !t.trim().is_empty()));
    let neighbour_given = f.for_name.is_some() || f.for_phone.is_some() || f.consent.is_some();
    DraftPatch {
        category: text(&f.category),
        description: f.description.clone(),
        location: if f.clear_location { Some(None) } else { f.location.map(Some) },
        address: text(&f.address),
        reporter_name: text(&f.reporter_name),
        reporter_phone: text(&f.reporter_phone),
        anonymous: f.anonymous,
        on_behalf: f.on_behalf.or(neighbour_given.then_some(true)),
        for_name: text(&f.for_name),
        for_phone: text(&f.for_phone),
        consent: f.consent,
    }
}

impl Ctx<'_> {
    fn path(&self, file: &str) -> String {
        self.store.photo_path(file).to_string_lossy().into_owned()
    }

    fn category(&self, code: &Option<String>) -> Option<String> {
        code.as_deref().map(|c| category_name(self.services, c, self.lang))
    }

    pub(crate) fn photo(&self, p: &model::Photo) -> PhotoView {
        PhotoView {
            id: p.id.to_string(),
            path: self.path(&p.file),
            thumbnail_path: p.thumb_file.as_deref().map(|t| self.path(t)),
            bytes: p.bytes,
            size_label: size_label(p.bytes),
            width: p.width,
            height: p.height,
        }
    }

    pub(crate) fn attached(&self, a: &Attached) -> AttachedPhoto {
        AttachedPhoto { photo: self.photo(&a.photo), suggestion: (&a.suggestion).into() }
    }

    pub(crate) fn report(&self, r: &Report) -> ReportView {
        let l = self.lang;
        let kind = r.state.kind();
        let current = r.history.last().map(|h| h.status);
        let unit_name = r.history.iter().rev().find_map(|h| h.unit.as_ref()).map(|u| u.1.clone());
        let open = current.is_some_and(|s| !s.is_closed());
        let due_label = r.history.last().and_then(|h| h.due_at).filter(|_| open).map(vn_time::format);
        let t = crate::ui_text::UiTexts::new(l);
        let handling_line = handling_line(&t, unit_name.as_deref(), due_label.as_deref());
        let behalf = r.on_behalf_of.clone().unwrap_or_default();
        let feedback = self.feedback(r);
        ReportView {
            can_rate: feedback.can_rate,
            can_rate_for_neighbour: feedback.can_rate && r.on_behalf_of.is_some(),
            rating_line: feedback.rating_line,
            can_reopen: feedback.can_reopen,
            reopen_label: feedback.reopen_label,
            reopen_line: feedback.reopen_line,
            data_used_label: self.store.data_used_by(r.id).ok().filter(|n| *n > 0).map(|n| data_used_label(n, l)),
            id: r.id.to_string(),
            state: kind,
            state_label: kind.label(l).to_owned(),
            editable: kind.is_editable(),
            category: r.category.clone(),
            category_name: self.category(&r.category),
            description: r.description.clone(),
            location: r.location,
            location_label: r.location.map(|p| location_label(p.lat, p.lon, p.accuracy_m, l)),
            address: r.address.clone(),
            reporter_name: r.reporter.name.clone(),
            reporter_phone: r.reporter.phone.clone(),
            anonymous: r.reporter.anonymous,
            on_behalf: r.on_behalf_of.is_some(),
            for_name: behalf.name,
            for_phone: behalf.phone,
            consent: behalf.consent,
            photos: r.photos.iter().map(|p| self.photo(p)).collect(),
            photos_size_label: size_label(r.photos.iter().map(|p| p.bytes).sum()),
            tracking_code: r.tracking_code.clone(),
            public_url: r.public_url.clone(),
            attention_reason: match &r.state {
                model::ReportState::NeedsAttention { reason } => Some(reason.clone()),
                _ => None,
            },
            status: current,
            status_label: current.map(|s| s.label(l).to_owned()),
            history: r.history.iter().map(|h| self.history(h)).collect(),
            unit_name,
            due_label,
            handling_line,
            created_at_ms: vn_time::ms(r.created_at),
            created_relative: relative_time(r.created_at, self.now, l),
            created_label: vn_time::format(r.created_at),
            updated_relative: relative_time(r.updated_at, self.now, l),
            updated_label: vn_time::format(r.updated_at),
        }
    }

    fn history(&self, h: &model::StatusEntry) -> HistoryEntry {
        HistoryEntry {
            status: h.status,
            status_label: h.status.label(self.lang).to_owned(),
            at_ms: vn_time::ms(h.at),
            at_relative: relative_time(h.at, self.now, self.lang),
            at_label: vn_time::format(h.at),
            reply: h.reply.clone(),
        }
    }

    /// What the reporter may say about the answer now, and what was said.
    fn feedback(&self, r: &Report) -> Feedback {
        let l = self.lang;
        let t = crate::ui_text::UiTexts::new(l);
        let last = r.history.iter().max_by_key(|h| h.at);
        let closed = last.filter(|h| h.status.is_closed() && r.tracking_code.is_some());
        let rating = self.store.rating(r.id).ok().flatten();
        let reopen = self.store.reopen_state(r.id).ok().flatten();
        let state_word = |s: &ActionState| match s {
            ActionState::Queued => l.pick("đang chờ gửi", "waiting to be sent").to_owned(),
            ActionState::Sent => l.pick("đã gửi", "sent").to_owned(),
            ActionState::Refused(why) => format!("{}: {why}", l.pick("không được nhận", "not accepted")),
        };
        let rating_line = rating.as_ref().map(|g| {
            format!("{}: {} · {}", l.pick("Đánh giá của bạn", "Your rating"), g.score.label(l), state_word(&g.state))
        });
        let rated = rating.as_ref().is_some_and(|g| !matches!(g.state, ActionState::Refused(_)));
        let days = self.services.map_or(crate::protocol::feedback::DEFAULT_REOPEN_DAYS, |s| s.reopen_days);
        let in_window = closed
            .is_some_and(|h| crate::protocol::feedback::within_days(vn_time::ms(h.at), vn_time::ms(self.now), days));
        let reopening = matches!(reopen, Some(ActionState::Queued));
        let reopen_label =
            closed.map(|h| if h.status == model::Status::Rejected { t.contest.clone() } else { t.reopen.clone() });
        Feedback {
            can_rate: closed.is_some() && !rated,
            rating_line,
            can_reopen: in_window && !reopening,
            reopen_label: reopen_label.filter(|_| in_window),
            reopen_line: reopen
                .as_ref()
                .map(|s| format!("{}: {}", l.pick("Yêu cầu mở lại", "Reopen request"), state_word(s))),
        }
    }

    pub(crate) fn followed(&self, f: &Followed) -> FollowedView {
        let l = self.lang;
        let t = crate::ui_text::UiTexts::new(l);
        let open = f.status.is_some_and(|s| !s.is_closed());
        let due = f.due_at.filter(|_| open).map(vn_time::format);
        let handling_line = handling_line(&t, f.unit_name.as_deref(), due.as_deref());
        let (state_label, refused) = match &f.state {
            ActionState::Queued => (l.pick("Đang chờ gửi", "Waiting to be sent").to_owned(), false),
            ActionState::Sent => (l.pick("Đang theo dõi", "Following").to_owned(), false),
            ActionState::Refused(why) => (why.clone(), true),
        };
        FollowedView {
            tracking_code: f.tracking_code.clone(),
            me_too: f.me_too,
            state_label,
            refused,
            category_name: f.category.clone(),
            status: f.status,
            status_label: f.status.map(|s| s.label(l).to_owned()),
            handling_line,
            followers_label: f
                .followers
                .map(|n| format!("{n} {}", l.pick("người quan tâm", if n == 1 { "follower" } else { "followers" }))),
            public_url: f.public_url.clone(),
            last_reply: f.history.iter().rev().find_map(|h| h.reply.clone()),
            history: f.history.iter().map(|h| self.history(h)).collect(),
        }
    }

    pub(crate) fn row(&self, s: &ReportSummary) -> ReportRow {
        ReportRow {
            id: s.id.to_string(),
            state: s.state,
            state_label: s.state.label(self.lang).to_owned(),
            category: s.category.clone(),
            category_name: self.category(&s.category),
            description: s.description.clone(),
            tracking_code: s.tracking_code.clone(),
            status: s.status,
            status_label: s.status.map(|st| st.label(self.lang).to_owned()),
            last_reply: s.last_reply.clone(),
            unit_name: s.unit_name.clone(),
            attention_reason: s.attention_reason.clone(),
            photo_count: s.photo_count,
            thumbnail_path: s.thumbnail.as_deref().map(|t| self.path(t)),
            updated_relative: relative_time(s.updated_at, self.now, self.lang),
        }
    }

    pub(crate) fn categories(&self) -> Vec<CategoryView> {
        let l = self.lang;
        self.services
            .map(|s| {
                s.categories
                    .iter()
                    .map(|c| CategoryView {
                        code: c.code.clone(),
                        name: l.pick(&c.name_vi, &c.name_en).to_owned(),
                        group: l.pick(&c.group_vi, &c.group_en).to_owned(),
                        photo_required: c.photo_required,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn nearby(&self, hints: &NearbyHints) -> NearbyReports {
        let l = self.lang;
        NearbyReports {
            reports: hints
                .reports
                .iter()
                .map(|r| NearbyReport {
                    tracking_code: r.tracking_code.clone(),
                    category: r.category.clone(),
                    category_name: category_name(self.services, &r.category, l),
                    status: r.status.clone(),
                    status_label: crate::protocol::status::label_of(&r.status, l).to_owned(),
                    distance_m: r.distance_m,
                    distance_label: distance_label(r.distance_m, l),
                    age_days: r.age_days,
                    age_label: relative_time(self.now - time::Duration::days(i64::from(r.age_days)), self.now, l),
                    thumbnail_url: r.thumbnail_url.clone(),
                })
                .collect(),
            from_cache: hints.from_cache,
            fetched_at_ms: vn_time::ms(hints.fetched_at),
            fetched_relative: relative_time(hints.fetched_at, self.now, l),
        }
    }
}

impl From<&crate::photo::Suggestion> for PhotoSuggestion {
    fn from(s: &crate::photo::Suggestion) -> Self {
        PhotoSuggestion {
            location: s.position.map(|(lat, lon)| model::Location { lat, lon, accuracy_m: None }),
            taken_at_ms: s.taken_at.map(vn_time::ms),
        }
    }
}

/// A sync event as the UI sees it.
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
            SyncEvent::Retrying { report_id: id.to_string(), attempts, at_ms: vn_time::ms(at) }
        }
        E::ReportNeedsAttention { id, reason } => SyncEvent::NeedsAttention { report_id: id.to_string(), reason },
        E::StatusChanged { id, status } => {
            SyncEvent::StatusChanged { report_id: id.to_string(), status, status_label: status.label(l).to_owned() }
        }
        E::PassFinished(summary) => SyncEvent::PassFinished { summary },
    }
}

/// "Đơn vị xử lý: UBND xã Tràng Sơn · Hạn xử lý: 17:00 04/12/2026", or
/// the part that is known.
fn handling_line(t: &crate::ui_text::UiTexts, unit: Option<&str>, due: Option<&str>) -> Option<String> {
    match (unit, due) {
        (Some(u), Some(d)) => Some(format!("{}: {u} · {}: {d}", t.responsible_unit, t.due_by)),
        (Some(u), None) => Some(format!("{}: {u}", t.responsible_unit)),
        (None, Some(d)) => Some(format!("{}: {d}", t.due_by)),
        (None, None) => None,
    }
}

/// What [`Ctx::feedback`] found.
struct Feedback {
    can_rate: bool,
    rating_line: Option<String>,
    can_reopen: bool,
    reopen_label: Option<String>,
    reopen_line: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_a_phone_shows_them() {
        assert_eq!(size_label(0), "0 KB");
        assert_eq!(data_used_label(2_412_000, Lang::Vi), "Đã dùng 2,4 MB dữ liệu");
        assert_eq!(data_used_label(2_412_000, Lang::En), "Used 2.4 MB of data");
        assert_eq!(data_used_month_label(310_000, Lang::Vi), "Tháng này đã dùng 310 KB dữ liệu");
        assert_eq!(size_label(1), "1 KB");
        assert_eq!(size_label(287_001), "288 KB");
        assert_eq!(size_label(1_400_000), "1.4 MB");
    }

    #[test]
    fn empty_text_clears_and_a_neighbour_means_on_behalf() {
        let p =
            patch(&DraftFields { address: Some(" ".into()), for_name: Some("Bà Lan".into()), ..Default::default() });
        assert_eq!(p.address, Some(None));
        assert_eq!(p.on_behalf, Some(true));
        assert_eq!(p.for_name, Some(Some("Bà Lan".into())));
        let p = patch(&DraftFields { for_name: Some("x".into()), on_behalf: Some(false), ..Default::default() });
        assert_eq!(p.on_behalf, Some(false));
        let p = patch(&DraftFields { clear_location: true, ..Default::default() });
        assert_eq!(p.location, Some(None));
    }
}
