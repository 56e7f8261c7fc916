//! The resident's word after the answer: the reporter rates it or reopens
//! it (contests a rejection), a neighbour follows it. Only the reporter's
//! device rates or reopens; every call is idempotent by the phone's id, so
//! a phone that lost the answer sends it again harmlessly.

use phananh_protocol::feedback::{FOLLOW_RESOLVED_DAYS, MAX_FEEDBACK_CHARS, within_days};
use phananh_protocol::text::clean_text;
use phananh_protocol::vn_time;
use phananh_protocol::wire::{PhotoDecl, ReopenBody, WireRating};
use phananh_protocol::{Field, Status};

use super::ServiceError;
use super::reports::ReportService;
use crate::district::Priority;
use crate::storage::{DeclaredPhoto, NewRating, NewReopen, ReportFacts, StorageError};

fn conflict(code: &'static str, vi: &'static str, en: &'static str) -> ServiceError {
    ServiceError::Conflict { code, vi, en }
}

impl ReportService {
    /// The reporter's device's report, by the phone's id; another device's
    /// is "not found", as for every call on a report.
    async fn own_report(&self, device: &str, client_id: &str) -> Result<ReportFacts, ServiceError> {
        let facts = self.store().report_facts(client_id.to_owned(), false).await?;
        facts.filter(|f| f.device_id.as_deref() == Some(device)).ok_or(ServiceError::Storage(StorageError::NotFound))
    }

    /// Rate the answer once (`rating_id` the phone's id for the rating).
    pub async fn rate(
        &self,
        device: &str,
        client_id: &str,
        rating_id: &str,
        rating: WireRating,
    ) -> Result<(), ServiceError> {
        let facts = self.own_report(device, client_id).await?;
        if facts.rating_id.as_deref() == Some(rating_id) {
            return Ok(()); // the same rating again: answered the same way
        }
        let closed = Status::from_code(&facts.status).is_some_and(Status::is_closed);
        if !closed {
            return Err(conflict(
                "not_closed",
                "Chỉ đánh giá được khi phản ánh đã được giải quyết hoặc từ chối",
                "A report can be rated once it is resolved or rejected",
            ));
        }
        if facts.rating_id.is_some() {
            return Err(conflict("already_rated", "Phản ánh này đã được đánh giá", "This report was already rated"));
        }
        let comment = rating.comment.as_deref().map(clean_text).filter(|c| !c.is_empty());
        if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_FEEDBACK_CHARS) {
            return Err(ServiceError::refused("comment_too_long", None, "Nhận xét quá dài", "The comment is too long"));
        }
        // Only a volunteer who filed for a neighbour rates on their behalf.
        let on_behalf = rating.on_behalf && facts.on_behalf;
        let new = NewRating {
            client_id: rating_id.to_owned(),
            score: rating.score.code().to_owned(),
            comment,
            on_behalf,
            unit_code: facts.unit_code.clone(),
        };
        match self.store().rate(facts.id, new).await {
            Err(StorageError::Conflict) => {
                Err(conflict("already_rated", "Phản ánh này đã được đánh giá", "This report was already rated"))
            }
            other => Ok(other?),
        }
    }

    /// "Not fixed": back to the unit that had it with a new deadline (a
    /// rejection contested goes to the coordinator), within the district's
    /// window after it was closed.
    pub async fn reopen(
        &self,
        device: &str,
        client_id: &str,
        reopen_id: &str,
        body: ReopenBody,
    ) -> Result<(), ServiceError> {
        let facts = self.own_report(device, client_id).await?;
        if self.store().feedback_known(reopen_id.to_owned()).await? {
            return Ok(()); // already reopened by this very request
        }
        let status = Status::from_code(&facts.status);
        let (Some(status), Some(closed_at)) = (status.filter(|s| s.is_closed()), facts.closed_at) else {
            return Err(conflict(
                "not_closed",
                "Chỉ mở lại được phản ánh đã giải quyết hoặc bị từ chối",
                "Only a resolved or rejected report can be reopened",
            ));
        };
        if !within_days(closed_at, self.clock_ms(), self.district().reopen_days) {
            return Err(conflict(
                "reopen_window_passed",
                "Đã quá thời hạn mở lại phản ánh này; hãy gửi phản ánh mới",
                "It is too late to reopen this report; send a new one",
            ));
        }
        let reason = clean_text(&body.reason);
        if reason.is_empty() || reason.chars().count() > MAX_FEEDBACK_CHARS {
            return Err(ServiceError::refused(
                "reason_required",
                Some(Field::Description),
                "Cần nói vì sao chưa được giải quyết (tối đa 1000 ký tự)",
                "Say why it is not fixed (at most 1000 characters)",
            ));
        }
        let photos = self.declared(&body.photos)?;
        // Not fixed: the same unit, which it counts against. A rejection
        // contested: the coordinator judges it.
        let district = self.district();
        let (kind, unit) = match status {
            Status::Resolved => ("reopen", facts.unit_code.clone().unwrap_or_else(|| district.top().code.clone())),
            _ => ("contest", district.top().code.clone()),
        };
        let priority = Priority::from_code(&facts.priority).unwrap_or_default();
        let (ack, due) = district.deadlines(&facts.category, priority, self.now_or_utc());
        let new = NewReopen {
            client_id: reopen_id.to_owned(),
            kind: kind.to_owned(),
            reason,
            from_unit: facts.unit_code.clone(),
            unit_code: unit,
            ack_due_at: ack.map(vn_time::ms),
            due_at: due.map(vn_time::ms),
            photos,
        };
        Ok(self.store().reopen(facts.id, new).await?)
    }

    /// Photos declared for tus (a reopen's, a follower's), checked as a
    /// report's own are.
    fn declared(&self, photos: &[PhotoDecl]) -> Result<Vec<DeclaredPhoto>, ServiceError> {
        if photos.len() > self.limits.max_photos {
            return Err(ServiceError::refused(
                "too_many_photos",
                Some(Field::Photos),
                "Quá nhiều ảnh",
                "Too many photos",
            ));
        }
        let mut out = Vec::new();
        for p in photos {
            let ok = uuid::Uuid::parse_str(&p.id).is_ok()
                && p.sha256.len() == 64
                && p.sha256.bytes().all(|b| b.is_ascii_hexdigit())
                && p.bytes > 0
                && p.bytes <= self.max_photo_bytes;
            if !ok {
                return Err(ServiceError::refused(
                    "bad_photo_decl",
                    Some(Field::Photos),
                    "Ảnh khai báo không hợp lệ",
                    "Invalid photo declaration",
                ));
            }
            out.push(DeclaredPhoto { id: p.id.clone(), sha256: p.sha256.to_ascii_lowercase(), bytes: p.bytes });
        }
        Ok(out)
    }

    /// A device follows a report it did not file ("me too" adds weight,
    /// its photos go to staff). Open reports can be followed, and resolved
    /// ones for a while.
    pub async fn follow(
        &self,
        device: &str,
        code: &str,
        me_too: bool,
        photos: &[PhotoDecl],
    ) -> Result<ReportFacts, ServiceError> {
        let facts = self.store().report_facts(code.to_owned(), true).await?;
        let facts = facts.ok_or(ServiceError::Storage(StorageError::NotFound))?;
        if facts.device_id.as_deref() == Some(device) {
            return Err(conflict(
                "own_report",
                "Đây là phản ánh của bạn; bạn đã nhận được cập nhật của nó",
                "This is your own report; you already get its updates",
            ));
        }
        let status = Status::from_code(&facts.status);
        let open = status.is_some_and(|s| !s.is_closed()) && !facts.duplicate;
        let recent = status == Some(Status::Resolved)
            && facts.closed_at.is_some_and(|at| within_days(at, self.clock_ms(), FOLLOW_RESOLVED_DAYS));
        if !open && !recent {
            return Err(conflict(
                "not_followable",
                "Chỉ theo dõi được phản ánh đang xử lý hoặc vừa được giải quyết",
                "Only open or recently resolved reports can be followed",
            ));
        }
        let photos = self.declared(photos)?;
        let me_too = me_too || !photos.is_empty();
        self.store().follow(facts.id, device.to_owned(), me_too, photos).await?;
        Ok(facts)
    }
}

/// The units' figures over a period, as the dashboard and scripts read them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatsView {
    /// First day (`YYYY-MM-DD`, Vietnam time).
    pub from: String,
    /// Last day.
    pub to: String,
    /// One row per unit with reports, ratings or reopens in the period.
    pub units: Vec<UnitFigures>,
    /// The whole district (or, for an officer, its unit).
    pub total: UnitFigures,
}

/// One unit's figures, with the district's two yardsticks worked out:
/// resolved on time, and satisfaction (among those who rated).
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitFigures {
    /// The counts.
    #[serde(flatten)]
    pub counts: crate::storage::UnitStats,
    /// The unit's name.
    pub name: String,
    /// Closed on time among those closed, in percent (`None`: none closed).
    pub on_time_pct: Option<f64>,
    /// Satisfied among those rated, in percent (`None`: no rating).
    pub satisfied_pct: Option<f64>,
    /// Ratings given, among reports closed.
    pub rated: i64,
}

impl UnitFigures {
    fn new(counts: crate::storage::UnitStats, name: String) -> UnitFigures {
        let rated = counts.satisfied + counts.acceptable + counts.not_satisfied;
        UnitFigures {
            on_time_pct: super::overview::pct(counts.closed_on_time, counts.closed),
            satisfied_pct: super::overview::pct(counts.satisfied, rated),
            rated,
            name,
            counts,
        }
    }
}

impl ReportService {
    /// The units' figures for reports received from `from` to `to`
    /// (Vietnam days; by default the last 30 days). An officer sees its
    /// unit's; everyone else every unit's.
    pub async fn unit_stats(
        &self,
        staff: &crate::storage::Staff,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<StatsView, ServiceError> {
        let now = self.clock_ms();
        let today = vn_time::day_start_ms(&vn_time::iso_date(now)).unwrap_or(now);
        let to_ms = super::staff::day_start(to)?.unwrap_or(today) + 86_400_000;
        let from_ms = super::staff::day_start(from)?.unwrap_or(to_ms - 30 * 86_400_000);
        let top = self.district().top().code.clone();
        let mut rows = self.store().unit_stats(from_ms, to_ms, now, top).await?;
        if staff.role == crate::storage::Role::Officer {
            rows.retain(|r| staff.unit.as_deref() == Some(r.unit.as_str()));
        }
        let mut total = crate::storage::UnitStats::total(&rows, String::new());
        let district = self.district();
        let name = |code: &str| district.unit(code).map_or(code.to_owned(), |u| u.name_vi.clone());
        total.unit = match staff.role {
            crate::storage::Role::Officer => staff.unit.clone().unwrap_or_default(),
            _ => district.top().code.clone(),
        };
        Ok(StatsView {
            from: vn_time::iso_date(from_ms),
            to: vn_time::iso_date(to_ms - 86_400_000),
            total: UnitFigures::new(total.clone(), name(&total.unit)),
            units: rows.into_iter().map(|r| UnitFigures::new(r.clone(), name(&r.unit))).collect(),
        })
    }
}
