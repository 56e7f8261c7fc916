//! Which of the district's changes deserve a system notification, and what
//! it says. Decided here, once, for both apps: the shells only show what
//! they are given (Android's `NotificationManager`, iOS's
//! `UNUserNotificationCenter`).
//!
//! One notification per report (a newer change replaces the older: its key
//! is the report's), never for the resident's own doing (the report arriving
//! at the district, the resident's own reopen).

use crate::Lang;
use crate::model::{ReportId, Status, StatusEntry};

/// Whose report a change is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whose {
    /// One this device filed.
    Own(ReportId),
    /// One it follows.
    Followed,
}

/// A change just pulled from the district.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Whose report.
    pub whose: Whose,
    /// Its tracking code.
    pub tracking_code: String,
    /// What changed.
    pub entry: StatusEntry,
}

/// A notification to show, as data (stored until the shell takes it).
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// One per report: `r:{id}` or `f:{code}`.
    pub key: String,
    /// The report on this device, if it is one's own.
    pub report_id: Option<ReportId>,
    /// Its tracking code.
    pub tracking_code: String,
    /// A followed report.
    pub followed: bool,
    /// Its status now.
    pub status: Status,
    /// The official reply that came with it.
    pub reply: Option<String>,
    /// The unit handling it.
    pub unit_name: Option<String>,
    /// When it changed (ms).
    pub at: i64,
}

/// The changes that deserve a notification, one per report, the latest.
pub fn decide(changes: &[Change]) -> Vec<Pending> {
    let mut out: Vec<Pending> = Vec::new();
    for c in changes {
        let own = matches!(c.whose, Whose::Own(_));
        // The resident's own doing: sending the report, reopening it.
        let by_resident = c.entry.status == Status::Received || (own && c.entry.status == Status::Reopened);
        if by_resident && c.entry.reply.is_none() {
            continue;
        }
        let (key, report_id) = match &c.whose {
            Whose::Own(id) => (format!("r:{id}"), Some(*id)),
            Whose::Followed => (format!("f:{}", c.tracking_code), None),
        };
        let pending = Pending {
            key,
            report_id,
            tracking_code: c.tracking_code.clone(),
            followed: !own,
            status: c.entry.status,
            reply: c.entry.reply.clone(),
            unit_name: c.entry.unit.as_ref().map(|u| u.1.clone()),
            at: crate::store::to_ms(c.entry.at),
        };
        match out.iter_mut().find(|p| p.key == pending.key) {
            Some(older) if older.at <= pending.at => *older = pending,
            Some(_) => {}
            None => out.push(pending),
        }
    }
    out
}

/// A notification as the shells show it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NotificationView {
    /// Stable per report: showing it again replaces the one before.
    pub key: String,
    /// A number derived from the key, for platforms that want one.
    pub numeric_id: i32,
    /// "Phản ánh DL-7K3M9Q: Đã giải quyết".
    pub title: String,
    /// The reply, or what changed.
    pub body: String,
    /// Tapping opens this report (one's own), else the followed list.
    pub report_id: Option<String>,
    /// The report's tracking code.
    pub tracking_code: String,
    /// The group all of the app's notifications share.
    pub group: String,
}

/// The longest body shown (a reply may be long; the report has it whole).
const BODY_CHARS: usize = 200;

/// What a notification says, in `lang`.
pub fn render(p: &Pending, lang: Lang) -> NotificationView {
    let label = p.status.label(lang);
    let title = if p.followed {
        format!("{} {}: {label}", lang.pick("Bạn quan tâm", "You follow"), p.tracking_code)
    } else {
        format!("{} {}: {label}", lang.pick("Phản ánh", "Report"), p.tracking_code)
    };
    let body = match (&p.reply, p.status) {
        (Some(reply), _) => {
            let mut text: String = reply.chars().take(BODY_CHARS).collect();
            if reply.chars().count() > BODY_CHARS {
                text.push('…');
            }
            text
        }
        (None, Status::Assigned | Status::Reopened) => match &p.unit_name {
            Some(unit) => format!("{}: {unit}", lang.pick("Đơn vị xử lý", "Responsible unit")),
            None => label.to_owned(),
        },
        (None, Status::Resolved) if !p.followed => lang
            .pick(
                "Chính quyền báo đã giải quyết. Hãy cho biết bạn có hài lòng không.",
                "The district says it is fixed. Tell them whether you are satisfied.",
            )
            .to_owned(),
        (None, _) => label.to_owned(),
    };
    let numeric_id = p.key.bytes().fold(17i32, |h, b| h.wrapping_mul(31).wrapping_add(i32::from(b))) & 0x7fff_ffff;
    NotificationView {
        key: p.key.clone(),
        numeric_id,
        title,
        body,
        report_id: p.report_id.map(|id| id.to_string()),
        tracking_code: p.tracking_code.clone(),
        group: "vn.phananh.reports".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn change(whose: Whose, status: Status, reply: Option<&str>, minute: u8) -> Change {
        Change {
            whose,
            tracking_code: "DL-7K3M9Q".into(),
            entry: StatusEntry {
                status,
                at: datetime!(2026-12-01 01:00 UTC) + time::Duration::minutes(i64::from(minute)),
                reply: reply.map(str::to_owned),
                unit: Some(("TRANG_SON".into(), "UBND xã Tràng Sơn".into())),
                due_at: None,
            },
        }
    }

    #[test]
    fn changes_to_notifications_as_a_table() {
        let mine = ReportId::new();
        let own = || Whose::Own(mine);
        // (changes pulled in one pass) → (statuses notified, in order)
        type Row = (Vec<Change>, Vec<(&'static str, Status)>);
        let table: Vec<Row> = vec![
            // The report reaching the district is the resident's own doing.
            (vec![change(own(), Status::Received, None, 0)], vec![]),
            // Routed to the commune: worth knowing.
            (vec![change(own(), Status::Assigned, None, 1)], vec![("r", Status::Assigned)]),
            // Several changes of one report: the latest, once.
            (
                vec![
                    change(own(), Status::Assigned, None, 1),
                    change(own(), Status::InProgress, Some("Tổ điện đang đến"), 2),
                    change(own(), Status::Resolved, Some("Đã thay bóng đèn"), 3),
                ],
                vec![("r", Status::Resolved)],
            ),
            // The resident's own reopen: nothing.
            (vec![change(own(), Status::Reopened, None, 4)], vec![]),
            // Someone reopened a report this device follows: worth knowing.
            (vec![change(Whose::Followed, Status::Reopened, None, 4)], vec![("f", Status::Reopened)]),
            // Own and followed apart, each once; out-of-order pages keep the latest.
            (
                vec![
                    change(Whose::Followed, Status::InProgress, None, 5),
                    change(own(), Status::Rejected, Some("Không thuộc thẩm quyền"), 6),
                    change(Whose::Followed, Status::Assigned, None, 1),
                ],
                vec![("f", Status::InProgress), ("r", Status::Rejected)],
            ),
        ];
        for (changes, expected) in table {
            let got: Vec<(&str, Status)> =
                decide(&changes).iter().map(|p| (if p.followed { "f" } else { "r" }, p.status)).collect();
            assert_eq!(got, expected, "{changes:?}");
        }
    }

    #[test]
    fn the_text_says_what_changed_in_the_users_language() {
        let id = ReportId::new();
        let resolved = decide(&[change(Whose::Own(id), Status::Resolved, None, 3)]).remove(0);
        let vi = render(&resolved, Lang::Vi);
        assert_eq!(vi.title, "Phản ánh DL-7K3M9Q: Đã giải quyết");
        assert!(vi.body.contains("hài lòng"), "{}", vi.body);
        assert_eq!(vi.report_id, Some(id.to_string()), "tapping opens the report");
        let en = render(&resolved, Lang::En);
        assert_eq!(en.title, "Report DL-7K3M9Q: Resolved");
        let assigned = decide(&[change(Whose::Followed, Status::Assigned, None, 1)]).remove(0);
        let shown = render(&assigned, Lang::Vi);
        assert_eq!(shown.title, "Bạn quan tâm DL-7K3M9Q: Đã chuyển đơn vị xử lý");
        assert_eq!(shown.body, "Đơn vị xử lý: UBND xã Tràng Sơn");
        assert_eq!(shown.report_id, None);
        let long = "a".repeat(500);
        let replied = decide(&[change(Whose::Own(id), Status::InProgress, Some(&long), 2)]).remove(0);
        assert_eq!(render(&replied, Lang::Vi).body.chars().count(), 201);
        assert_eq!(render(&replied, Lang::Vi).numeric_id, vi.numeric_id, "one notification per report");
    }
}
