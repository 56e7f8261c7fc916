//! The server's HTML pages as askama templates (`server/templates/`), which
//! escape everything they are given: a view struct per page, filled from
//! the domain's records and rendered by the handlers. Times are Vietnam
//! time ("17:00 04/12/2026"); styles come from one stylesheet of ours
//! (`/static/style.css`), so the pages need no inline style at all.

pub mod overview;

use askama::Template;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use phananh_protocol::wire::Category;
use phananh_protocol::{Lang, Status, vn_time};

use crate::district::District;
use crate::storage::{PublicReport, ReportFilter, Role, Staff, StaffReport};

/// The stylesheet, built into the binary.
pub const STYLESHEET: &str = include_str!("../../static/style.css");

/// `GET /static/style.css`.
pub async fn stylesheet() -> Response {
    ([(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")], STYLESHEET).into_response()
}

/// Render a page, or a plain 500 if a template fails (it cannot, short of a bug).
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "lỗi máy chủ / internal error").into_response()
        }
    }
}

/// An RFC 3339 time as people read it ("17:00 04/12/2026"); as given if it
/// is not one.
pub fn when(rfc3339: &str) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(vn_time::format)
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// A time for people, in Vietnam time (`vn_time::format_in`).
pub fn when_ms(ms: i64, lang: Lang) -> String {
    vn_time::format_in(ms, lang)
}

/// One `<option>`.
pub struct Choice {
    /// Its value.
    pub value: String,
    /// Its label.
    pub label: String,
    /// Chosen now.
    pub selected: bool,
}

fn choice(value: &str, label: &str, current: &str) -> Choice {
    Choice { value: value.to_owned(), label: label.to_owned(), selected: value == current }
}

/// The statuses staff may set, with "any" first when `any` is given.
pub fn status_choices(current: &str, any: Option<&str>) -> Vec<Choice> {
    let any = any.map(|label| choice("", label, current));
    any.into_iter().chain(Status::ALL.iter().map(|s| choice(s.code(), s.label(Lang::Vi), current))).collect()
}

fn category_name<'a>(categories: &'a [Category], code: &'a str) -> &'a str {
    categories.iter().find(|c| c.code == code).map_or(code, |c| c.name_vi.as_str())
}

/// One step of a report's history.
pub struct Step {
    /// When.
    pub at: String,
    /// The status from then on.
    pub status: &'static str,
    /// The reply that came with it.
    pub reply: Option<String>,
}

/// `/staff`: sign in.
#[derive(Template)]
#[template(path = "staff_login.html")]
pub struct StaffLogin {
    /// Page language.
    pub lang: &'static str,
    /// What went wrong last time.
    pub error: Option<&'static str>,
}

impl StaffLogin {
    /// The page, with an error if there was one.
    pub fn new(error: Option<&'static str>) -> StaffLogin {
        StaffLogin { lang: "vi", error }
    }
}

/// A row of the staff list.
pub struct StaffRow {
    /// The unit responsible.
    pub unit: String,
    /// Its deadline, for people.
    pub due: String,
    /// Past its deadline and still open.
    pub overdue: bool,
    /// Urgent.
    pub urgent: bool,
    /// Tracking code.
    pub code: String,
    /// Category name.
    pub category: String,
    /// Status name.
    pub status: &'static str,
    /// The description's start.
    pub excerpt: String,
    /// When received.
    pub received: String,
    /// Residents following it.
    pub followers: i64,
}

/// `/staff/reports`.
#[derive(Template)]
#[template(path = "staff_list.html")]
pub struct StaffList {
    /// Page language.
    pub lang: &'static str,
    /// Who is signed in.
    pub staff_name: String,
    /// The session's CSRF token, for the forms.
    pub csrf: String,
    /// Status filter.
    pub statuses: Vec<Choice>,
    /// Category filter.
    pub categories: Vec<Choice>,
    /// "Older than" filter, days.
    pub days: String,
    /// Search words.
    pub q: String,
    /// The reports.
    pub rows: Vec<StaffRow>,
    /// Unit filter (not offered to an officer: its unit is all it sees).
    pub units: Vec<Choice>,
    /// The queues, as tabs.
    pub queues: Vec<Choice>,
    /// The account's role and unit, for the heading.
    pub who: String,
    /// Whether to show the admin link.
    pub is_admin: bool,
    /// Commune filter (where the report is, whoever handles it).
    pub communes: Vec<Choice>,
    /// Priority filter.
    pub priorities: Vec<Choice>,
    /// Order: newest, or most followed.
    pub sorts: Vec<Choice>,
    /// Date range: received from, to (`YYYY-MM-DD`).
    pub from: String,
    /// Date range end.
    pub to: String,
    /// The coordinator may tick reports and assign them at once.
    pub can_assign: bool,
    /// Units to assign to.
    pub assign_units: Vec<Choice>,
    /// What the last action did.
    pub notice: Option<String>,
    /// What it could not do, one line a report.
    pub problems: Vec<String>,
    /// The filters as a query string, for the same list on the map and
    /// in the exports.
    pub query: String,
}

impl StaffList {
    /// The list for `staff`.
    pub fn new(
        staff: &Staff,
        f: &ReportFilter,
        reports: &[StaffReport],
        categories: &[Category],
        district: &District,
        now_ms: i64,
    ) -> StaffList {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let (category, unit, queue, commune) = (text(&f.category), text(&f.unit), text(&f.queue), text(&f.commune));
        let any = choice("", "Mọi loại", &category);
        let units = match staff.role {
            Role::Officer => Vec::new(),
            _ => std::iter::once(choice("", "Mọi đơn vị", &unit))
                .chain(district.units().iter().map(|u| choice(&u.code, &u.name_vi, &unit)))
                .collect(),
        };
        let communes = std::iter::once(choice("", "Mọi xã, thị trấn", &commune))
            .chain(district.units().iter().filter(|u| u.kind.is_local()).map(|u| choice(&u.code, &u.name_vi, &commune)))
            .collect();
        let queues = [("", "Tất cả"), ("new", "Mới"), ("due_soon", "Sắp đến hạn"), ("overdue", "Quá hạn")]
            .iter()
            .map(|(v, l)| choice(v, l, &queue))
            .collect();
        let can_assign = matches!(staff.role, Role::Coordinator);
        StaffList {
            is_admin: staff.role == Role::Admin,
            lang: "vi",
            units,
            communes,
            sorts: [("", "Mới nhất trước"), ("followers", "Nhiều người quan tâm trước")]
                .iter()
                .map(|(v, l)| choice(v, l, &text(&f.sort)))
                .collect(),
            priorities: [("", "Mọi mức ưu tiên"), ("normal", "Thường"), ("urgent", "Khẩn")]
                .iter()
                .map(|(v, l)| choice(v, l, &text(&f.priority)))
                .collect(),
            from: text(&f.from),
            to: text(&f.to),
            can_assign,
            assign_units: if can_assign {
                district.units().iter().map(|u| choice(&u.code, &u.name_vi, "")).collect()
            } else {
                Vec::new()
            },
            notice: None,
            problems: Vec::new(),
            query: String::new(),
            queues,
            who: who(staff, district),
            staff_name: staff.name.clone(),
            csrf: staff.csrf.clone(),
            statuses: status_choices(&text(&f.status), Some("Mọi trạng thái")),
            categories: std::iter::once(any)
                .chain(categories.iter().map(|c| choice(&c.code, &c.name_vi, &category)))
                .collect(),
            days: f.older_than_days.map(|d| d.to_string()).unwrap_or_default(),
            q: text(&f.q),
            rows: reports
                .iter()
                .map(|r| StaffRow {
                    unit: unit_name(district, r.unit.as_deref()),
                    due: r.due_at_ms.map(|ms| when_ms(ms, Lang::Vi)).unwrap_or_else(|| "—".into()),
                    overdue: r.closed_at.is_none() && r.due_at_ms.is_some_and(|ms| ms <= now_ms),
                    urgent: r.priority == "urgent",
                    code: r.tracking_code.clone(),
                    category: category_name(categories, &r.category).to_owned(),
                    status: phananh_protocol::status::label_of(&r.status, Lang::Vi),
                    excerpt: r.description.chars().take(80).collect(),
                    received: when(&r.received_at),
                    followers: r.followers,
                })
                .collect(),
        }
    }
}

/// A position and its map link.
pub struct Position {
    /// "18.900000, 105.300000".
    pub label: String,
    /// OpenStreetMap at the point.
    pub map_url: String,
}

/// `/staff/reports/{code}`.
#[derive(Template)]
#[template(path = "staff_report.html")]
pub struct StaffReportPage {
    /// Page language.
    pub lang: &'static str,
    /// Who is signed in.
    pub staff_name: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// Tracking code.
    pub code: String,
    /// Status name.
    pub status: &'static str,
    /// The original, if a duplicate.
    pub duplicate_of: Option<String>,
    /// Category name.
    pub category: String,
    /// Description.
    pub description: String,
    /// Where.
    pub position: Option<Position>,
    /// Typed address.
    pub address: Option<String>,
    /// Name and phone, or "—".
    pub reporter: String,
    /// Kept from the public.
    pub anonymous: bool,
    /// The neighbour filed for, with consent.
    pub neighbour: Option<String>,
    /// The phone numbers show only their last digits; a button reveals them.
    pub phones_hidden: bool,
    /// The reporter's rating: score, comment, for whom.
    pub rating: Option<String>,
    /// Residents following it, and of them "me too".
    pub followers: String,
    /// Reopens and contested rejections.
    pub reopens: Vec<EventLine>,
    /// Whether to show the admin link.
    pub is_admin: bool,
    /// Photo addresses.
    pub photos: Vec<String>,
    /// Photos of the fix.
    pub fix_photos: Vec<String>,
    /// Photos followers sent ("I see it too"), staff only.
    pub follower_photos: Vec<String>,
    /// Photos declared.
    pub photos_expected: i64,
    /// What happened.
    pub history: Vec<Step>,
    /// The status form's choices.
    pub statuses: Vec<Choice>,
    /// The unit responsible.
    pub unit: String,
    /// Priority, for people.
    pub priority: &'static str,
    /// Priority choices (coordinator).
    pub priorities: Vec<Choice>,
    /// Acknowledge by.
    pub ack_due: String,
    /// Resolve by.
    pub due: String,
    /// Past its deadline and still open.
    pub overdue: bool,
    /// Staff-only steps.
    pub events: Vec<EventLine>,
    /// Staff-only notes.
    pub notes: Vec<EventLine>,
    /// Extension requests awaiting a decision.
    pub pending: Vec<Pending>,
    /// Units to assign to (coordinator).
    pub unit_choices: Vec<Choice>,
    /// The account may act as the unit (status, note, hand back, extension).
    pub can_act: bool,
    /// The account coordinates (assign, priority, decide extensions).
    pub can_coordinate: bool,
    /// The account is an officer (may hand back).
    pub is_officer: bool,
    /// Reject reasons.
    pub reasons: Vec<Choice>,
    /// Reply templates for the report's category.
    pub templates: Vec<String>,
    /// The account's role and unit.
    pub who: String,
}

/// A staff-only line of a report's handling.
pub struct EventLine {
    /// When.
    pub at: String,
    /// Who.
    pub who: String,
    /// What, for people.
    pub what: String,
}

/// An extension request to decide on.
pub struct Pending {
    /// Its id.
    pub id: i64,
    /// "until 17:00 11/12/2026 — reason (by name)".
    pub text: String,
}

/// "Điều phối", "Cán bộ xử lý — UBND xã Tràng Sơn".
pub(crate) fn who(staff: &Staff, district: &District) -> String {
    match &staff.unit {
        Some(u) => format!("{} — {}", staff.role.label(Lang::Vi), unit_name(district, Some(u))),
        None => staff.role.label(Lang::Vi).to_owned(),
    }
}

fn unit_name(district: &District, code: Option<&str>) -> String {
    code.and_then(|c| district.unit(c)).unwrap_or(district.top()).name_vi.clone()
}

fn event_label(action: &str) -> &'static str {
    match action {
        "routed" => "Tự động chuyển đến",
        "assigned" => "Giao cho",
        "handed_back" => "Trả lại điều phối",
        "priority" => "Đổi mức ưu tiên",
        "extension_requested" => "Xin gia hạn",
        "extension_approved" => "Đồng ý gia hạn",
        "extension_refused" => "Không đồng ý gia hạn",
        _ => "Khác",
    }
}

impl StaffReportPage {
    /// The page for one report.
    pub fn new(
        staff: &Staff,
        r: StaffReport,
        categories: &[Category],
        district: &District,
        now: i64,
    ) -> StaffReportPage {
        let can_act = matches!(staff.role, Role::Coordinator | Role::Officer);
        let can_coordinate = staff.role == Role::Coordinator;
        let rfc = |t: &Option<String>| t.as_deref().map(when).unwrap_or_else(|| "—".into());
        let events = r
            .events
            .iter()
            .map(|e| {
                let mut what = event_label(&e.action).to_owned();
                if let Some(u) = &e.unit {
                    what.push_str(&format!(" {}", unit_name(district, Some(u))));
                }
                if let Some(d) = &e.detail {
                    // An extension's detail begins with its deadline, kept
                    // in RFC 3339: people read it in Vietnam time.
                    let d = match d.split_once(" — ") {
                        _ if !e.action.starts_with("extension_") => d.clone(),
                        Some((until, reason)) => format!("{} — {reason}", when(until)),
                        None => when(d),
                    };
                    what.push_str(&format!(" ({d})"));
                }
                EventLine { at: when(&e.at), who: e.staff.clone().unwrap_or_else(|| "hệ thống".into()), what }
            })
            .collect();
        let notes =
            r.notes.iter().map(|n| EventLine { at: when(&n.at), who: n.staff.clone(), what: n.text.clone() }).collect();
        let pending = r
            .extensions
            .iter()
            .filter(|x| x.approved.is_none())
            .map(|x| Pending {
                id: x.id, text: format!("đến {} — {} ({})", when(&x.until), x.reason, x.requested_by)
            })
            .collect();
        let unit_code = r.unit.clone().unwrap_or_else(|| district.top().code.clone());
        let join = |a: Option<&str>, b: Option<&str>| [a, b].into_iter().flatten().collect::<Vec<_>>().join(", ");
        let reporter = join(r.reporter_name.as_deref(), r.reporter_phone.as_deref());
        let neighbour = (r.for_name.is_some() || r.for_phone.is_some()).then(|| {
            let consent = if r.consent { "đã đồng ý" } else { "chưa đồng ý" };
            format!("{} ({consent})", join(r.for_name.as_deref(), r.for_phone.as_deref()))
        });
        let rating = r.rating.as_ref().map(|g| {
            let score = phananh_protocol::Score::from_code(&g.score).map_or("?", |s| s.label(Lang::Vi));
            let whose = if g.on_behalf { " (tình nguyện viên đánh giá thay người dân)" } else { "" };
            match &g.comment {
                Some(c) => format!("{score}{whose}: {c}"),
                None => format!("{score}{whose}"),
            }
        });
        let followers = format!("{} người quan tâm, {} người cũng thấy", r.followers, r.me_too);
        let reopens = r
            .reopens
            .iter()
            .map(|x| EventLine {
                at: when(&x.at),
                who: if x.kind == "contest" {
                    "Khiếu nại từ chối".into()
                } else {
                    "Chưa được khắc phục".into()
                },
                what: x.reason.clone(),
            })
            .collect();
        StaffReportPage {
            rating,
            followers,
            reopens,
            phones_hidden: r.phones_hidden,
            is_admin: staff.role == Role::Admin,
            lang: "vi",
            staff_name: staff.name.clone(),
            csrf: staff.csrf.clone(),
            status: phananh_protocol::status::label_of(&r.status, Lang::Vi),
            statuses: status_choices(&r.status, None)
                .into_iter()
                .filter(|c| c.value != Status::Assigned.code() && c.value != Status::Reopened.code())
                .collect(),
            unit: unit_name(district, r.unit.as_deref()),
            priority: crate::district::Priority::from_code(&r.priority).unwrap_or_default().label(Lang::Vi),
            priorities: [("normal", "Thường"), ("urgent", "Khẩn")]
                .iter()
                .map(|(v, l)| choice(v, l, &r.priority))
                .collect(),
            ack_due: rfc(&r.ack_due_at),
            due: rfc(&r.due_at),
            overdue: r.closed_at.is_none() && r.due_at_ms.is_some_and(|ms| ms <= now),
            events,
            notes,
            pending,
            unit_choices: district.units().iter().map(|u| choice(&u.code, &u.name_vi, &unit_code)).collect(),
            can_act,
            can_coordinate,
            is_officer: staff.role == Role::Officer,
            reasons: crate::service::REJECT_REASONS
                .iter()
                .map(|c| choice(c, crate::service::reject_reason_label(c, Lang::Vi), ""))
                .collect(),
            who: who(staff, district),
            templates: district.reply_templates(&r.category).into_iter().map(str::to_owned).collect(),
            category: category_name(categories, &r.category).to_owned(),
            position: r.lat.zip(r.lon).map(|(lat, lon)| Position {
                label: format!("{lat:.6}, {lon:.6}"),
                map_url: format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"),
            }),
            reporter: if reporter.is_empty() { "—".into() } else { reporter },
            neighbour,
            history: r
                .history
                .iter()
                .map(|h| Step {
                    at: when(&h.at),
                    status: phananh_protocol::status::label_of(&h.status, Lang::Vi),
                    reply: h.reply.clone(),
                })
                .collect(),
            code: r.tracking_code,
            duplicate_of: r.duplicate_of,
            description: r.description,
            address: r.address,
            anonymous: r.anonymous,
            photos: r.photos,
            fix_photos: r.fix_photos,
            follower_photos: r.follower_photos,
            photos_expected: r.photos_expected,
        }
    }
}

/// The public page's words in one language.
pub struct PublicWords {
    /// "Phản ánh".
    pub report: &'static str,
    /// "Loại".
    pub category: &'static str,
    /// "Địa chỉ".
    pub address: &'static str,
    /// "Tiếp nhận".
    pub received: &'static str,
    /// "Ảnh".
    pub photo: &'static str,
    /// "Diễn biến".
    pub history: &'static str,
    /// "Đơn vị xử lý".
    pub unit: &'static str,
    /// "Hạn xử lý".
    pub due: &'static str,
    /// "Ảnh sau khi xử lý".
    pub fixed: &'static str,
    /// "Người phản ánh đánh giá".
    pub rating: &'static str,
    /// "người quan tâm".
    pub followers: &'static str,
}

/// `/r/{code}`: for the neighbour without the app. Never a name or phone.
#[derive(Template)]
#[template(path = "public_report.html")]
pub struct PublicReportPage {
    /// Page language.
    pub lang: &'static str,
    /// English.
    pub en: bool,
    /// Words.
    pub t: PublicWords,
    /// Tracking code.
    pub code: String,
    /// Status name.
    pub status: &'static str,
    /// Category name.
    pub category: String,
    /// Description.
    pub description: String,
    /// Typed address.
    pub address: Option<String>,
    /// When received.
    pub received: String,
    /// Photo numbers.
    pub photos: Vec<i64>,
    /// Photos of the fix, by number.
    pub fix_photos: Vec<i64>,
    /// What happened.
    pub history: Vec<Step>,
    /// The unit responsible.
    pub unit: Option<String>,
    /// Its deadline.
    pub due: Option<String>,
    /// The reporter's rating of the answer (the score alone).
    pub rating: Option<&'static str>,
    /// Residents following it.
    pub followers: i64,
}

impl PublicReportPage {
    /// The page in `lang`.
    pub fn new(r: PublicReport, lang: Lang, district: &District) -> PublicReportPage {
        let unit = r.unit.as_deref().and_then(|c| district.unit(c)).map(|u| u.name(lang).to_owned());
        let open = Status::from_code(&r.status).is_some_and(|s| !s.is_closed());
        let due = r.due_at.filter(|_| open).map(|ms| when_ms(ms, lang));
        let t = PublicWords {
            report: lang.pick("Phản ánh", "Report"),
            category: lang.pick("Loại", "Category"),
            address: lang.pick("Địa chỉ", "Address"),
            received: lang.pick("Tiếp nhận", "Received"),
            photo: lang.pick("Ảnh", "Photo"),
            history: lang.pick("Diễn biến", "History"),
            unit: lang.pick("Đơn vị xử lý", "Responsible unit"),
            due: lang.pick("Hạn xử lý", "Due"),
            fixed: lang.pick("Ảnh sau khi xử lý", "After the fix"),
            rating: lang.pick("Người phản ánh đánh giá", "The reporter's rating"),
            followers: lang.pick("người dân cùng quan tâm", "residents follow it"),
        };
        PublicReportPage {
            lang: lang.code(),
            en: lang == Lang::En,
            t,
            status: phananh_protocol::status::label_of(&r.status, lang),
            category: lang.pick(&r.category_vi, &r.category_en).to_owned(),
            received: when_ms(r.received, lang),
            unit,
            due,
            photos: (0..r.photos).collect(),
            fix_photos: (0..r.fix_photos).collect(),
            history: r
                .history
                .iter()
                .map(|(status, reply, at)| Step {
                    at: when_ms(*at, lang),
                    status: phananh_protocol::status::label_of(status, lang),
                    reply: reply.clone(),
                })
                .collect(),
            rating: r.rating.as_deref().and_then(phananh_protocol::Score::from_code).map(|s| s.label(lang)),
            followers: r.followers,
            code: r.code,
            description: r.description,
            address: r.address,
        }
    }
}

/// A public page that found nothing.
#[derive(Template)]
#[template(path = "public_missing.html")]
pub struct PublicMissing {
    /// Page language.
    pub lang: &'static str,
    /// Heading.
    pub title: &'static str,
    /// What to do.
    pub hint: &'static str,
}

/// One account on the admin page.
pub struct AccountRow {
    /// Sign-in name.
    pub name: String,
    /// Role, for people.
    pub role: &'static str,
    /// Unit name, or "—".
    pub unit: String,
    /// Disabled since, for people.
    pub disabled: Option<String>,
}

/// One line of the audit log, for people.
pub struct AuditRow {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub subject: String,
    /// More.
    pub detail: String,
}

/// `/staff/admin`.
#[derive(Template)]
#[template(path = "staff_admin.html")]
pub struct AdminPage {
    /// Page language.
    pub lang: &'static str,
    /// Who is signed in.
    pub staff_name: String,
    /// Role and unit, for the heading.
    pub who: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// Whether to show the admin link.
    pub is_admin: bool,
    /// The accounts.
    pub accounts: Vec<AccountRow>,
    /// Role choices.
    pub roles: Vec<Choice>,
    /// Unit choices ("none" first).
    pub units: Vec<Choice>,
    /// The newest audit entries.
    pub log: Vec<AuditRow>,
    /// What the last action did, or why it did not.
    pub message: Option<String>,
}

impl AdminPage {
    /// The page for `staff`.
    pub fn new(
        staff: &Staff,
        accounts: &[crate::storage::StaffAccount],
        log: &[crate::storage::AuditEntry],
        district: &District,
        message: Option<String>,
    ) -> AdminPage {
        AdminPage {
            lang: "vi",
            staff_name: staff.name.clone(),
            who: who(staff, district),
            csrf: staff.csrf.clone(),
            is_admin: true,
            accounts: accounts
                .iter()
                .map(|a| AccountRow {
                    name: a.name.clone(),
                    role: a.role.label(Lang::Vi),
                    unit: a.unit.as_deref().map(|u| unit_name(district, Some(u))).unwrap_or_else(|| "—".into()),
                    disabled: a.disabled_at.map(|ms| when_ms(ms, Lang::Vi)),
                })
                .collect(),
            roles: [Role::Officer, Role::Coordinator, Role::Leader, Role::Admin]
                .iter()
                .map(|r| choice(r.code(), r.label(Lang::Vi), "officer"))
                .collect(),
            units: std::iter::once(choice("", "—", ""))
                .chain(district.units().iter().map(|u| choice(&u.code, &u.name_vi, "")))
                .collect(),
            log: log
                .iter()
                .map(|e| AuditRow {
                    at: when_ms(e.at, Lang::Vi),
                    actor: e.actor.clone(),
                    action: e.action.clone(),
                    subject: e.subject.clone().unwrap_or_default(),
                    detail: e.detail.clone().unwrap_or_default(),
                })
                .collect(),
            message,
        }
    }
}

/// One row of the figures, written for people.
pub struct FigureRow {
    /// Unit name.
    pub name: String,
    /// Counts.
    pub received: i64,
    /// Open.
    pub open: i64,
    /// Overdue.
    pub overdue: i64,
    /// Closed.
    pub closed: i64,
    /// "98,5 %" or "—".
    pub on_time: String,
    /// Reopened as not fixed.
    pub reopened: i64,
    /// "3 / 1 / 0".
    pub ratings: String,
    /// "75,0 %" or "—".
    pub satisfied: String,
}

impl FigureRow {
    fn new(f: &crate::service::UnitFigures) -> FigureRow {
        let pct = overview::pct;
        FigureRow {
            name: f.name.clone(),
            received: f.counts.received,
            open: f.counts.open,
            overdue: f.counts.overdue,
            closed: f.counts.closed,
            on_time: pct(f.on_time_pct),
            reopened: f.counts.reopened,
            ratings: format!("{} / {} / {}", f.counts.satisfied, f.counts.acceptable, f.counts.not_satisfied),
            satisfied: pct(f.satisfied_pct),
        }
    }
}

/// `/staff/stats`.
#[derive(Template)]
#[template(path = "staff_stats.html")]
pub struct StatsPage {
    /// Page language.
    pub lang: &'static str,
    /// Who is signed in.
    pub staff_name: String,
    /// Role and unit.
    pub who: String,
    /// The session's CSRF token (the sign-out form).
    pub csrf: String,
    /// Whether to show the admin link.
    pub is_admin: bool,
    /// Period.
    pub from: String,
    /// Period.
    pub to: String,
    /// The whole.
    pub total: FigureRow,
    /// Each unit.
    pub rows: Vec<FigureRow>,
}

impl StatsPage {
    /// The page for `staff`.
    pub fn new(staff: &Staff, v: &crate::service::StatsView, district: &District) -> StatsPage {
        StatsPage {
            lang: "vi",
            staff_name: staff.name.clone(),
            who: who(staff, district),
            csrf: staff.csrf.clone(),
            is_admin: staff.role == Role::Admin,
            from: v.from.clone(),
            to: v.to.clone(),
            total: FigureRow::new(&v.total),
            rows: v.units.iter().map(FigureRow::new).collect(),
        }
    }
}
