//! What staff may see and do, by role and unit; the coordinator's and the
//! officers' actions on a report; the queues.

use phananh_protocol::Lang;
use phananh_protocol::vn_time::{self, ms, rfc3339};

use super::ServiceError;
use super::reports::ReportService;
use crate::district::Priority;
use crate::storage::{ReportAction, ReportFilter, Role, Staff, StaffReport, StorageError};

/// Hide a report's phone numbers but their last three digits
/// ("•••••••678"): enough to tell two apart, not to call. Seeing them whole
/// is a separate, audited step.
pub(crate) fn mask_phones(r: &mut StaffReport) {
    for phone in [&mut r.reporter_phone, &mut r.for_phone].into_iter().flatten() {
        let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
        let keep: String = digits[digits.len().saturating_sub(3)..].iter().collect();
        *phone = format!("{}{keep}", "•".repeat(digits.len().saturating_sub(3)));
    }
    r.phones_hidden = r.reporter_phone.is_some() || r.for_phone.is_some();
}

/// The first instant (ms) of a Vietnam day given as `YYYY-MM-DD` in a
/// request; `None` when not given, a refusal when not a day.
pub(super) fn day_start(day: Option<&str>) -> Result<Option<i64>, ServiceError> {
    match day.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => vn_time::day_start_ms(d).map(Some).ok_or_else(|| {
            ServiceError::refused("bad_date", None, "Ngày phải có dạng YYYY-MM-DD", "Dates are YYYY-MM-DD")
        }),
    }
}

/// What a call needs of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// To read the report.
    Read,
    /// To act on it as its unit (an officer of the unit, or the coordinator).
    Act,
    /// To coordinate (assign, transfer, priority, extensions).
    Coordinate,
}

/// Whether `staff` may `need` a report of `unit`. A report the account may
/// not see is "not found"; one it sees but may not change is "forbidden".
pub fn allowed(staff: &Staff, unit: Option<&str>, top: &str, need: Need) -> Result<(), ServiceError> {
    let unit = unit.unwrap_or(top);
    let sees = match staff.role {
        Role::Officer => staff.unit.as_deref() == Some(unit),
        Role::Coordinator | Role::Leader | Role::Admin => true,
    };
    if !sees {
        return Err(StorageError::NotFound.into());
    }
    let may = match need {
        Need::Read => true,
        Need::Act => matches!(staff.role, Role::Coordinator | Role::Officer),
        Need::Coordinate => staff.role == Role::Coordinator,
    };
    if may { Ok(()) } else { Err(ServiceError::Forbidden) }
}

/// The reasons a report may be rejected for.
pub const REJECT_REASONS: [&str; 3] = ["not_competent", "duplicate", "insufficient_info"];

/// A reject reason for people.
pub fn reject_reason_label(code: &str, lang: Lang) -> &'static str {
    match code {
        "not_competent" => lang.pick("Không thuộc thẩm quyền", "Not our competence"),
        "duplicate" => lang.pick("Trùng lặp", "Duplicate"),
        _ => lang.pick("Không đủ thông tin", "Not enough information"),
    }
}

fn required(
    text: Option<&str>,
    code: &'static str,
    vi: &'static str,
    en: &'static str,
) -> Result<String, ServiceError> {
    let text = text.map(phananh_protocol::text::clean_text).unwrap_or_default();
    if text.is_empty() {
        return Err(ServiceError::refused(code, None, vi, en));
    }
    if text.chars().count() > 4000 {
        return Err(ServiceError::refused("text_too_long", None, "Nội dung quá dài", "The text is too long"));
    }
    Ok(text)
}

impl ReportService {
    /// One report as `staff` may see it, phone numbers hidden.
    pub async fn report_for(&self, staff: &Staff, code: &str) -> Result<StaffReport, ServiceError> {
        let report = self.staff_report(code).await?;
        allowed(staff, report.unit.as_deref(), &self.district().top().code, Need::Read)?;
        Ok(report)
    }

    /// The report with its phone numbers shown, for one who asked to call
    /// the reporter: the view is in the audit log (who, when, which report).
    pub async fn reveal_phones(&self, staff: &Staff, code: &str) -> Result<StaffReport, ServiceError> {
        let report = self.unmasked_report(code).await?;
        allowed(staff, report.unit.as_deref(), &self.district().top().code, Need::Read)?;
        if report.reporter_phone.is_some() || report.for_phone.is_some() {
            self.audit(staff, "view_phone", code, "").await?;
        }
        Ok(report)
    }

    /// The reports `staff` may see, filtered; an officer's are its unit's.
    pub async fn reports_for(&self, staff: &Staff, filter: ReportFilter) -> Result<Vec<StaffReport>, ServiceError> {
        // An officer's scope; a date range in Vietnam days, from the first
        // day's midnight to the midnight after the last.
        let filter = self.scoped(Some(staff), filter)?;
        let mut reports = self.store().staff_reports(filter).await?;
        reports.iter_mut().for_each(mask_phones);
        Ok(reports)
    }

    /// Check that `staff` may `need` the report `code`; the report.
    async fn checked(&self, staff: &Staff, code: &str, need: Need) -> Result<StaffReport, ServiceError> {
        let report = self.staff_report(code).await?;
        allowed(staff, report.unit.as_deref(), &self.district().top().code, need)?;
        Ok(report)
    }

    /// Give a report to a unit (assign, or transfer with a reason), with
    /// deadlines counted again from now. Coordinator only.
    pub async fn assign(
        &self,
        staff: &Staff,
        code: &str,
        unit: &str,
        note: Option<&str>,
    ) -> Result<StaffReport, ServiceError> {
        let report = self.checked(staff, code, Need::Coordinate).await?;
        let district = self.district();
        let Some(target) = district.unit(unit) else {
            return Err(ServiceError::refused("unknown_unit", None, "Không có đơn vị này", "No such unit"));
        };
        let top = &district.top().code;
        let transfer = report.unit.as_deref().is_some_and(|u| u != top && u != target.code);
        let reason = match transfer {
            true => Some(required(note, "reason_required", "Cần lý do chuyển", "A transfer needs a reason")?),
            false => note.map(phananh_protocol::text::clean_text).filter(|n| !n.is_empty()),
        };
        let priority = Priority::from_code(&report.priority).unwrap_or_default();
        let now = self.now_or_utc();
        let (ack, due) = district.deadlines(&report.category, priority, now);
        let action =
            ReportAction::Assign { unit: target.code.clone(), reason, ack_due_at: ack.map(ms), due_at: due.map(ms) };
        self.store().act(staff.id, code.to_owned(), action).await?;
        self.audit(staff, if transfer { "transfer" } else { "assign" }, code, &target.code).await?;
        self.staff_report(code).await
    }

    /// An officer gives a report back to the coordinator, saying why.
    pub async fn hand_back(
        &self,
        staff: &Staff,
        code: &str,
        reason: Option<&str>,
    ) -> Result<StaffReport, ServiceError> {
        self.checked(staff, code, Need::Act).await?;
        let reason = required(reason, "reason_required", "Cần lý do trả lại", "Handing back needs a reason")?;
        let to = self.district().top().code.clone();
        self.store().act(staff.id, code.to_owned(), ReportAction::HandBack { to, reason }).await?;
        self.audit(staff, "hand_back", code, "").await?;
        self.staff_report(code).await
    }

    /// A staff-only note. It never reaches the resident.
    pub async fn note(&self, staff: &Staff, code: &str, text: Option<&str>) -> Result<StaffReport, ServiceError> {
        self.checked(staff, code, Need::Act).await?;
        let text = required(text, "note_required", "Ghi chú trống", "The note is empty")?;
        self.store().act(staff.id, code.to_owned(), ReportAction::Note { text }).await?;
        self.audit(staff, "note", code, "").await?;
        self.staff_report(code).await
    }

    /// A new priority; deadlines are counted again from when it arrived.
    pub async fn set_priority(&self, staff: &Staff, code: &str, priority: &str) -> Result<StaffReport, ServiceError> {
        let report = self.checked(staff, code, Need::Coordinate).await?;
        let Some(p) = Priority::from_code(priority) else {
            return Err(ServiceError::refused("bad_priority", None, "Mức ưu tiên không hợp lệ", "Unknown priority"));
        };
        let received = time::OffsetDateTime::parse(&report.received_at, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| self.now_or_utc());
        let (ack, due) = self.district().deadlines(&report.category, p, received);
        let action = ReportAction::Priority { priority: p.code().into(), ack_due_at: ack.map(ms), due_at: due.map(ms) };
        self.store().act(staff.id, code.to_owned(), action).await?;
        self.audit(staff, "priority", code, p.code()).await?;
        self.staff_report(code).await
    }

    /// An officer asks for more time: until `days` more working days.
    pub async fn request_extension(
        &self,
        staff: &Staff,
        code: &str,
        days: u32,
        reason: Option<&str>,
    ) -> Result<StaffReport, ServiceError> {
        let report = self.checked(staff, code, Need::Act).await?;
        let reason = required(reason, "reason_required", "Cần lý do gia hạn", "An extension needs a reason")?;
        if !(1..=30).contains(&days) {
            return Err(ServiceError::refused(
                "bad_days",
                None,
                "Gia hạn 1–30 ngày làm việc",
                "Extend by 1–30 working days",
            ));
        }
        let calendar = &self.district().calendar;
        let from = report.due_at_ms.and_then(phananh_protocol::vn_time::from_ms).unwrap_or_else(|| self.now_or_utc());
        let until = calendar.add_working_minutes(from, days * calendar.minutes_per_day()).map(ms).ok_or_else(|| {
            ServiceError::refused("no_working_time", None, "Không có ngày làm việc", "No working time ahead")
        })?;
        self.store().act(staff.id, code.to_owned(), ReportAction::RequestExtension { reason, until }).await?;
        self.audit(staff, "extension_requested", code, &rfc3339(until)).await?;
        self.staff_report(code).await
    }

    /// The coordinator grants or refuses an extension request.
    pub async fn decide_extension(
        &self,
        staff: &Staff,
        code: &str,
        id: i64,
        approve: bool,
    ) -> Result<StaffReport, ServiceError> {
        self.checked(staff, code, Need::Coordinate).await?;
        self.store().act(staff.id, code.to_owned(), ReportAction::DecideExtension { id, approve }).await?;
        self.audit(staff, if approve { "extension_approved" } else { "extension_refused" }, code, &id.to_string())
            .await?;
        self.staff_report(code).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: Role, unit: Option<&str>) -> Staff {
        Staff { id: 1, name: "x".into(), csrf: String::new(), session: String::new(), role, unit: unit.map(Into::into) }
    }

    /// Every role × need × report unit: allowed, not found, or forbidden.
    #[test]
    fn the_permission_matrix() {
        use Need::*;
        let a = Some("A");
        // (role, staff unit, report unit, need, Some(true)=ok, Some(false)=forbidden, None=not found)
        type Case = (Role, Option<&'static str>, Option<&'static str>, Need, Option<bool>);
        let cases: &[Case] = &[
            (Role::Coordinator, None, a, Read, Some(true)),
            (Role::Coordinator, None, a, Act, Some(true)),
            (Role::Coordinator, None, a, Coordinate, Some(true)),
            (Role::Coordinator, None, None, Coordinate, Some(true)),
            (Role::Officer, a, a, Read, Some(true)),
            (Role::Officer, a, a, Act, Some(true)),
            (Role::Officer, a, a, Coordinate, Some(false)),
            (Role::Officer, a, Some("B"), Read, None),
            (Role::Officer, a, Some("B"), Act, None),
            (Role::Officer, a, None, Read, None),
            (Role::Officer, None, a, Read, None),
            (Role::Leader, None, a, Read, Some(true)),
            (Role::Leader, None, a, Act, Some(false)),
            (Role::Leader, None, a, Coordinate, Some(false)),
            (Role::Admin, None, a, Read, Some(true)),
            (Role::Admin, None, a, Act, Some(false)),
        ];
        for &(role, own, unit, need, expected) in cases {
            let got = match allowed(&staff(role, own), unit, "DL", need) {
                Ok(()) => Some(true),
                Err(ServiceError::Forbidden) => Some(false),
                Err(ServiceError::Storage(StorageError::NotFound)) => None,
                Err(e) => panic!("{e}"),
            };
            assert_eq!(got, expected, "{role:?} of {own:?} on {unit:?} for {need:?}");
        }
    }
}
