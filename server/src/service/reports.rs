//! Reports: intake from any source, photos, and what staff do with them.

use std::sync::Arc;

use phananh_protocol::validate::validate;
use phananh_protocol::wire::ReportBody;
use phananh_protocol::{Clock, Field, Limits, Status, vn_time};

use super::ServiceError;
use crate::district::{District, Priority};
use crate::photos::PhotoStore;
use crate::storage::{
    AttachedPhoto, AuditEntry, Created, DeclaredPhoto, NewReport, Routing, Source, Staff, StaffReport, StatusUpdate,
    Storage,
};

/// A report as it arrives, from the app or from Open311.
#[derive(Debug, Clone)]
pub struct Intake {
    /// The sender's id for it (a UUID).
    pub client_id: String,
    /// The device (`None` for Open311).
    pub device_id: Option<String>,
    /// Where it came from.
    pub source: Source,
    /// The request body's hash, to know a resend.
    pub body_hash: String,
    /// The report as the wire carries it.
    pub body: ReportBody,
    /// Photos sent inline (Open311's `media`), counted against the rules
    /// with the declared ones.
    pub inline_photos: u32,
    /// A photo's address given instead (Open311's `media_url`).
    pub media_url: Option<String>,
}

/// What the district configures about reports.
#[derive(Clone)]
pub struct ReportRules {
    /// Text and photo limits (the protocol's, unless configured).
    pub limits: Limits,
    /// Tracking code prefix (`DL`).
    pub code_prefix: String,
    /// Largest photo, bytes.
    pub max_photo_bytes: u64,
    /// The clock (tests move it).
    pub clock: Arc<dyn Clock>,
    /// Units, routing rules, calendar and deadlines.
    pub district: Arc<District>,
}

/// Reports: one path in, whoever sends; one path for staff's changes.
#[derive(Clone)]
pub struct ReportService {
    store: Arc<dyn Storage>,
    photos: Arc<dyn PhotoStore>,
    clock: Arc<dyn Clock>,
    pub(super) limits: Limits,
    code_prefix: String,
    pub(super) max_photo_bytes: u64,
    district: Arc<District>,
    /// Every report's counts, in memory (see [`super::figures`]).
    figures: Arc<super::figures::Figures>,
}

/// The longest reply staff may write, in characters.
const MAX_REPLY_CHARS: usize = 4000;

impl ReportService {
    /// The service over `store` and `photos`, by the district's `rules`.
    pub fn new(store: Arc<dyn Storage>, photos: Arc<dyn PhotoStore>, rules: ReportRules) -> ReportService {
        let ReportRules { limits, code_prefix, max_photo_bytes, clock, district } = rules;
        ReportService {
            store,
            photos,
            clock,
            limits,
            code_prefix,
            max_photo_bytes,
            district,
            figures: Default::default(),
        }
    }

    /// Check a report by the shared rules and keep it, with a fresh
    /// tracking code (the same report again is found, not doubled).
    pub async fn create(&self, intake: Intake) -> Result<Created, ServiceError> {
        let raw = &intake.body;
        let clean = raw.cleaned();
        let categories = self.store.categories().await?;
        let Some(category) = categories.iter().find(|c| c.code == clean.category) else {
            return Err(ServiceError::refused(
                "unknown_category",
                Some(Field::Category),
                "Loại sự việc không có trong danh sách",
                "Unknown category",
            ));
        };
        if raw.lat.is_some() != raw.lon.is_some() {
            return Err(ServiceError::refused(
                "location_incomplete",
                Some(Field::Location),
                "Thiếu vĩ độ hoặc kinh độ",
                "Latitude and longitude go together",
            ));
        }
        let mut submission = clean.submission();
        submission.photo_count += intake.inline_photos as usize;
        let area = self.store.service_area().await?;
        validate(&submission, &self.limits, area.as_ref()).map_err(ServiceError::Invalid)?;
        if category.photo_required && submission.photo_count == 0 {
            return Err(ServiceError::refused(
                "photo_required",
                Some(Field::Photos),
                "Loại sự việc này cần ít nhất một ảnh",
                "This category needs at least one photo",
            ));
        }
        self.check_extras(raw)?;
        let routing = self.route(&clean.category, raw.lat.zip(raw.lon)).await?;
        let new = self.new_report(&intake, clean, routing);
        Ok(self.store.create_report(new, self.code_prefix.clone()).await?)
    }

    /// Where a new report goes and by when. A unit nobody staffs yet
    /// would leave it unseen: it goes to the coordinator instead.
    async fn route(&self, category: &str, point: Option<(f64, f64)>) -> Result<Routing, ServiceError> {
        let district = &self.district;
        let (mut unit, reason) = district.route(category, point);
        let mut reason = reason.code().to_owned();
        if unit.code != district.top().code && self.store.officers_in(unit.code.clone()).await? == 0 {
            reason = format!("{reason}: {} has no officer", unit.code);
            unit = district.top();
        }
        let (ack, due) = district.deadlines(category, Priority::Normal, self.now_or_utc());
        let place = point.and_then(|(lat, lon)| district.place_at(lat, lon)).map(|u| u.code.clone());
        Ok(Routing {
            unit_code: unit.code.clone(),
            place_code: place,
            reason,
            priority: Priority::Normal.code().into(),
            ack_due_at: ack.map(vn_time::ms),
            due_at: due.map(vn_time::ms),
        })
    }

    /// Place reports that have a point but no commune yet (written before
    /// the boundaries were known, or before schema 4); how many.
    pub async fn place_unplaced(&self) -> Result<u64, ServiceError> {
        let mut placed = 0;
        loop {
            let batch = self.store.unplaced_reports(500).await?;
            if batch.is_empty() {
                return Ok(placed);
            }
            placed += batch.len() as u64;
            let places = batch
                .into_iter()
                .map(|(code, lat, lon)| (code, self.district.place_at(lat, lon).map(|u| u.code.clone())))
                .collect();
            self.store.set_places(places).await?;
        }
    }

    /// The district: units, rules, calendar.
    pub fn district(&self) -> &District {
        &self.district
    }

    pub(super) fn figures(&self) -> &super::figures::Figures {
        &self.figures
    }

    pub(super) fn store(&self) -> &dyn Storage {
        self.store.as_ref()
    }

    /// The injected clock's time, in ms.
    pub fn clock_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The time now, from the injected clock.
    pub fn now_or_utc(&self) -> time::OffsetDateTime {
        vn_time::from_ms(self.clock.now_ms()).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }

    /// What only the app's body carries: its creation time and the photos
    /// it declares for tus.
    fn check_extras(&self, r: &ReportBody) -> Result<(), ServiceError> {
        // The phone's creation time: an RFC 3339 instant, nothing longer.
        if let Some(at) = &r.created_at
            && (at.len() > 40
                || time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).is_err())
        {
            return Err(ServiceError::refused(
                "bad_created_at",
                Some(Field::Description),
                "Thời điểm tạo (created_at) không hợp lệ",
                "created_at must be an RFC 3339 time",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for p in &r.photos {
            let ok_id = uuid::Uuid::parse_str(&p.id).is_ok() && seen.insert(p.id.to_ascii_lowercase());
            let ok_sha =
                p.sha256.len() == 64 && p.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            let ok_size = p.bytes > 0 && p.bytes <= self.max_photo_bytes;
            if !(ok_id && ok_sha && ok_size) {
                return Err(ServiceError::refused(
                    "bad_photo",
                    Some(Field::Photos),
                    "Thông tin ảnh không hợp lệ (mã, sha256 hoặc kích thước)",
                    "Invalid photo declaration (id, sha256 or size)",
                ));
            }
        }
        Ok(())
    }

    /// What the store keeps of a checked report.
    fn new_report(&self, intake: &Intake, clean: ReportBody, routing: Routing) -> NewReport {
        let r = &intake.body;
        let behalf = r.on_behalf_of.as_ref();
        // A phone that is not a Vietnamese number was refused by the rules
        // for the app; from an aggregator it is dropped, not refused.
        let phone = |p: Option<&str>| {
            p.filter(|p| !p.trim().is_empty()).and_then(|p| phananh_protocol::normalize_phone(p).ok())
        };
        NewReport {
            client_id: intake.client_id.clone(),
            device_id: intake.device_id.clone(),
            source: intake.source,
            body_hash: intake.body_hash.clone(),
            category: clean.category,
            description: clean.description,
            lat: r.lat,
            lon: r.lon,
            accuracy_m: r.accuracy_m,
            address: clean.address,
            reporter_name: clean.reporter.name,
            reporter_phone: phone(r.reporter.phone.as_deref()),
            anonymous: r.reporter.anonymous,
            for_name: clean.on_behalf_of.and_then(|b| b.name),
            for_phone: phone(behalf.and_then(|b| b.phone.as_deref())),
            consent: behalf.is_some_and(|b| b.consent),
            photos: r
                .photos
                .iter()
                .map(|p| DeclaredPhoto { id: p.id.to_ascii_lowercase(), sha256: p.sha256.clone(), bytes: p.bytes })
                .collect(),
            photos_expected: r.photos.len() as u32 + intake.inline_photos,
            client_created_at: r.created_at.clone(),
            routing,
            media_url: intake.media_url.clone(),
        }
    }

    /// Keep a checked, cleaned JPEG (see `crate::jpeg::accept`) as the
    /// report's photo `position`, with its thumbnail. Blocking work runs
    /// off the async threads.
    pub async fn add_photo(
        &self,
        report_id: i64,
        position: u32,
        jpeg: Vec<u8>,
        (width, height): (u32, u32),
        fix: bool,
    ) -> Result<(), ServiceError> {
        let photo_id = uuid::Uuid::now_v7().to_string();
        let key = format!("{report_id}/{photo_id}.jpg");
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&jpeg));
        let bytes = jpeg.len() as u64;
        let jpeg = bytes::Bytes::from(jpeg);
        crate::photos::store_thumbnail(self.photos.as_ref(), &key, jpeg.clone()).await;
        self.photos.put(&key, jpeg).await.map_err(crate::storage::StorageError::backend)?;
        let photo =
            AttachedPhoto { id: photo_id, report_id, key, sha256, bytes, width, height, position: Some(position), fix };
        Ok(self.store.attach_photo(photo).await?)
    }

    /// Staff set a report's status, with a reply to the reporter (public;
    /// required to resolve, and to reject, with a reason); recorded in the
    /// audit trail. Assigning is [`ReportService::assign`], not a status.
    pub async fn change_status(
        &self,
        staff: &Staff,
        tracking_code: &str,
        status: &str,
        reply: Option<&str>,
        reject_reason: Option<&str>,
    ) -> Result<StaffReport, ServiceError> {
        let report = self.staff_report(tracking_code).await?;
        super::allowed(staff, report.unit.as_deref(), &self.district.top().code, super::Need::Act)?;
        let Some(status) = Status::from_code(status).filter(|s| *s != Status::Assigned) else {
            return Err(ServiceError::refused("bad_status", None, "Trạng thái không hợp lệ", "Unknown status"));
        };
        let mut reply = reply.map(phananh_protocol::text::clean_text).filter(|r| !r.is_empty());
        if status == Status::Resolved && reply.is_none() {
            return Err(ServiceError::refused(
                "reply_required",
                None,
                "Cần trả lời người dân khi giải quyết xong",
                "Resolving needs a reply to the resident",
            ));
        }
        if status == Status::Rejected {
            let Some(reason) = reject_reason.filter(|r| super::REJECT_REASONS.contains(r)) else {
                return Err(ServiceError::refused(
                    "reason_required",
                    None,
                    "Cần lý do từ chối: không thuộc thẩm quyền, trùng lặp hoặc không đủ thông tin",
                    "Rejecting needs a reason: not_competent, duplicate or insufficient_info",
                ));
            };
            // The resident reads the reason, in both languages, before any words of staff.
            let label = format!(
                "{} / {}",
                super::reject_reason_label(reason, phananh_protocol::Lang::Vi),
                super::reject_reason_label(reason, phananh_protocol::Lang::En)
            );
            reply = Some(match reply {
                Some(text) => format!("{label}. {text}"),
                None => label,
            });
        }
        let status = status.code();
        if reply.as_ref().is_some_and(|r| r.chars().count() > MAX_REPLY_CHARS) {
            return Err(ServiceError::refused("reply_too_long", None, "Trả lời quá dài", "The reply is too long"));
        }
        let code = tracking_code.to_owned();
        let update = StatusUpdate { staff_id: staff.id, tracking_code: code.clone(), status: status.to_owned(), reply };
        self.store.change_status(update).await?;
        self.audit(staff, "status", &code, status).await?;
        self.staff_report(&code).await
    }

    /// Staff mark a report as a duplicate of another; its reporter is told
    /// where to follow the original. Recorded in the audit trail.
    pub async fn mark_duplicate(
        &self,
        staff: &Staff,
        tracking_code: &str,
        of: &str,
    ) -> Result<StaffReport, ServiceError> {
        let report = self.staff_report(tracking_code).await?;
        super::allowed(staff, report.unit.as_deref(), &self.district.top().code, super::Need::Act)?;
        let reply = duplicate_reply(of);
        self.store.mark_duplicate(staff.id, tracking_code.to_owned(), of.to_owned(), reply).await?;
        self.audit(staff, "duplicate", tracking_code, of).await?;
        self.staff_report(tracking_code).await
    }

    /// A report's internal id, by tracking code.
    pub async fn internal_id(&self, tracking_code: &str) -> Result<i64, ServiceError> {
        let id = self.store.report_id(tracking_code.to_owned()).await?;
        Ok(id.ok_or(crate::storage::StorageError::NotFound)?)
    }

    /// One report as staff see it, phone numbers hidden (see
    /// [`ReportService::reveal_phones`]).
    pub async fn staff_report(&self, tracking_code: &str) -> Result<StaffReport, ServiceError> {
        let mut report = self.unmasked_report(tracking_code).await?;
        super::staff::mask_phones(&mut report);
        Ok(report)
    }

    /// One report with its phone numbers: only for an audited reveal.
    pub(super) async fn unmasked_report(&self, tracking_code: &str) -> Result<StaffReport, ServiceError> {
        let report = self.store.staff_report(tracking_code.to_owned()).await?;
        Ok(report.ok_or(crate::storage::StorageError::NotFound)?)
    }

    pub(super) async fn audit(
        &self,
        staff: &Staff,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<(), ServiceError> {
        let entry = AuditEntry {
            at: self.clock.now_ms(),
            staff_id: Some(staff.id),
            actor: staff.name.clone(),
            action: action.to_owned(),
            subject: Some(subject.to_owned()),
            detail: Some(detail.to_owned()),
        };
        Ok(self.store.audit(entry).await?)
    }
}

/// What the reporter of a duplicate is told: where to follow the original.
pub fn duplicate_reply(of: &str) -> String {
    format!(
        "Phản ánh này trùng với {of}; xin theo dõi tại /r/{of}. / This report duplicates {of}; follow it at /r/{of}."
    )
}
