//! Open311 GeoReport v2 under `/open311/v2/`, in JSON and XML: discovery,
//! services, service definitions, and requests (POST with an `api_key`,
//! GET with the spec's filters). A request posted here is the same report
//! the staff dashboard and the native API see; its `service_request_id` is
//! the tracking code.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use phananh_protocol::wire::{ReportBody, WireReporter};
use phananh_protocol::{Lang, Status};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::routes::limited;
use crate::service::{Intake, ServiceError};
use crate::state::Shared;
use crate::storage::{Created, Open311Filter, Source};
use crate::tracking;
use phananh_protocol::vn_time::rfc3339;

#[derive(Clone, Copy, PartialEq)]
enum Fmt {
    Json,
    Xml,
}

/// `name.json` / `name.xml` → (name, format).
fn split(file: &str) -> Option<(&str, Fmt)> {
    let (name, ext) = file.rsplit_once('.')?;
    let fmt = match ext {
        "json" => Fmt::Json,
        "xml" => Fmt::Xml,
        _ => return None,
    };
    Some((name, fmt))
}

/// Open311's error list: `[{"code": 400, "description": "…"}]`.
fn error(fmt: Fmt, status: StatusCode, description: &str) -> Response {
    let body = match fmt {
        Fmt::Json => json!([{"code": status.as_u16(), "description": description}]).to_string(),
        Fmt::Xml => crate::xml::errors(status.as_u16(), description),
    };
    respond(fmt, status, body)
}

fn respond(fmt: Fmt, status: StatusCode, body: String) -> Response {
    let ct = match fmt {
        Fmt::Json => "application/json; charset=utf-8",
        Fmt::Xml => "text/xml; charset=utf-8",
    };
    (status, [(CONTENT_TYPE, ct)], body).into_response()
}

/// Element order of the spec's XML, which some clients validate.
const SERVICE_ORDER: &[&str] =
    &["service_code", "service_name", "description", "metadata", "type", "keywords", "group"];
const REQUEST_ORDER: &[&str] = &[
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
    "token",
    "account_id",
];

/// `GET /open311/v2/{resource}`: `discovery.*`, `services.*`, `requests.*`.
pub async fn top(State(state): State<Shared>, Path(file): Path<String>, Query(q): Query<RequestsQuery>) -> Response {
    let Some((name, fmt)) = split(&file) else {
        return error(Fmt::Json, StatusCode::NOT_FOUND, "unknown resource or format");
    };
    let base = state.base_url().to_owned();
    match name {
        "discovery" => {
            let d = json!({
                "changeset": "2026-11-27T00:00:00Z",
                "contact": "UBND huyện / district people's committee",
                "key_service": "phananh-server apikey add",
                "endpoints": [{
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": format!("{base}/open311/v2"),
                    "changeset": "2026-11-27T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json", "text/xml"]
                }]
            });
            match fmt {
                Fmt::Json => respond(fmt, StatusCode::OK, d.to_string()),
                Fmt::Xml => respond(fmt, StatusCode::OK, crate::xml::object("discovery", &d)),
            }
        }
        "services" => match state.store.categories().await {
            Ok(cats) => {
                let rows: Vec<Value> = cats
                    .iter()
                    .map(|c| {
                        json!({
                            "service_code": c.code, "service_name": c.name_vi,
                            "description": format!("{} / {}", c.name_vi, c.name_en),
                            "metadata": false, "type": "realtime", "keywords": c.name_en, "group": c.group_vi
                        })
                    })
                    .collect();
                list(fmt, "services", "service", rows, SERVICE_ORDER)
            }
            Err(_) => error(fmt, StatusCode::INTERNAL_SERVER_ERROR, "storage error"),
        },
        "requests" => match get_requests(&state, fmt, q, &base).await {
            Ok(rows) => list(fmt, "service_requests", "request", rows, REQUEST_ORDER),
            Err(e) => e,
        },
        _ => error(fmt, StatusCode::NOT_FOUND, "unknown resource"),
    }
}

fn list(fmt: Fmt, root: &str, item: &str, rows: Vec<Value>, order: &[&str]) -> Response {
    match fmt {
        Fmt::Json => respond(fmt, StatusCode::OK, Value::Array(rows).to_string()),
        Fmt::Xml => respond(fmt, StatusCode::OK, crate::xml::list(root, item, &rows, order)),
    }
}

/// `GET /open311/v2/services/{code}.{fmt}`: the service definition.
pub async fn service(State(state): State<Shared>, Path(file): Path<String>) -> Response {
    let Some((code, fmt)) = split(&file) else { return error(Fmt::Json, StatusCode::NOT_FOUND, "unknown format") };
    let code = code.to_owned();
    let exists = state.store.categories().await.is_ok_and(|cats| cats.iter().any(|c| c.code == code));
    if !exists {
        return error(fmt, StatusCode::NOT_FOUND, "service_code not found");
    }
    let def = json!({"service_code": code, "attributes": []});
    match fmt {
        Fmt::Json => respond(fmt, StatusCode::OK, def.to_string()),
        Fmt::Xml => respond(fmt, StatusCode::OK, crate::xml::object("service_definition", &def)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RequestsQuery {
    service_request_id: Option<String>,
    service_code: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    status: Option<String>,
}

/// A W3C date-time as Open311 clients send them: full RFC 3339, or the
/// coarser forms the W3C note allows (`2026-11-29`, `2026-11-29T20:37Z`,
/// `2026-11-29T20:37+07:00`); a bare date is midnight UTC.
fn parse_date(s: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let s = s.trim();
    let t = time::OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .or_else(|| {
            time::OffsetDateTime::parse(
                s,
                format_description!("[year]-[month]-[day]T[hour]:[minute][offset_hour sign:mandatory]:[offset_minute]"),
            )
            .ok()
        })
        .or_else(|| {
            let utc = s.strip_suffix('Z')?;
            time::PrimitiveDateTime::parse(utc, format_description!("[year]-[month]-[day]T[hour]:[minute]"))
                .ok()
                .map(|t| t.assume_utc())
        })
        .or_else(|| {
            time::Date::parse(s, format_description!("[year]-[month]-[day]")).ok().map(|d| d.midnight().assume_utc())
        })?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// What a new request is told, in POST and GET answers alike.
const SERVICE_NOTICE: &str = "Đã tiếp nhận / received";

async fn get_requests(state: &Shared, fmt: Fmt, q: RequestsQuery, base: &str) -> Result<Vec<Value>, Response> {
    let mut filter = Open311Filter::default();
    if let Some(ids) = q.service_request_id.as_deref().filter(|s| !s.is_empty()) {
        let codes: Vec<String> = ids.split(',').map(tracking::normalize).filter(|c| !c.is_empty()).take(100).collect();
        filter.codes = Some(codes);
    } else {
        // Without ids the spec defaults to the last 90 days, 1000 at most.
        filter.start = match q.start_date.as_deref() {
            Some(s) => match parse_date(s) {
                Some(ms) => ms,
                None => return Err(error(fmt, StatusCode::BAD_REQUEST, "start_date must be w3c (RFC 3339)")),
            },
            None => state.now_ms() - 90 * 86_400_000,
        };
        if let Some(end) = q.end_date.as_deref() {
            let Some(ms) = parse_date(end) else {
                return Err(error(fmt, StatusCode::BAD_REQUEST, "end_date must be w3c (RFC 3339)"));
            };
            filter.end = Some(ms);
        }
        // Both filters take comma-separated lists, as clients send them.
        filter.service_codes = q
            .service_code
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        let (mut open, mut closed) = (false, false);
        for s in q.status.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match s {
                "open" => open = true,
                "closed" => closed = true,
                _ => return Err(error(fmt, StatusCode::BAD_REQUEST, "status must be open, closed or both")),
            }
        }
        filter.open = match (open, closed) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        };
    }
    let rows = state
        .store
        .open311_requests(filter)
        .await
        .map_err(|_| error(fmt, StatusCode::INTERNAL_SERVER_ERROR, "storage error"))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let code = r.tracking_code;
            json!({
                "service_request_id": code,
                "status": if Status::from_code(&r.status).is_some_and(Status::is_closed) { "closed" } else { "open" },
                "status_notes": r.last_reply,
                "service_name": r.category_name,
                "service_code": r.category,
                "description": r.description,
                "agency_responsible": unit_name(state, r.unit.as_deref()),
                "service_notice": SERVICE_NOTICE,
                "requested_datetime": rfc3339(r.created_at),
                "updated_datetime": rfc3339(r.updated_at),
                "expected_datetime": r.due_at.map(rfc3339),
                "address": r.address,
                "address_id": null,
                "zipcode": null,
                "lat": r.lat,
                "long": r.lon,
                "media_url": if r.photos > 0 { Some(format!("{base}/r/{code}/photo/0")) } else { r.media_url },
            })
        })
        .collect())
}

/// `GET /open311/v2/requests/{id}.{fmt}`.
pub async fn request(State(state): State<Shared>, Path(file): Path<String>) -> Response {
    let Some((id, fmt)) = split(&file) else { return error(Fmt::Json, StatusCode::NOT_FOUND, "unknown format") };
    let q = RequestsQuery { service_request_id: Some(id.to_owned()), ..Default::default() };
    match get_requests(&state, fmt, q, state.base_url()).await {
        Ok(rows) if rows.is_empty() => error(fmt, StatusCode::NOT_FOUND, "service_request_id not found"),
        Ok(rows) => list(fmt, "service_requests", "request", rows, REQUEST_ORDER),
        Err(e) => e,
    }
}

/// The fields of a POSTed request, from a form or a multipart body.
#[derive(Debug, Default)]
struct Posted {
    fields: std::collections::HashMap<String, String>,
    media: Option<Vec<u8>>,
}

async fn read_posted(req: Request, state: &Shared, max_media: usize) -> Result<Posted, &'static str> {
    let multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut posted = Posted::default();
    if multipart {
        let mut mp = Multipart::from_request(req, state).await.map_err(|_| "malformed multipart body")?;
        while let Some(field) = mp.next_field().await.map_err(|_| "malformed multipart body")? {
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| "malformed multipart body")?;
            if name == "media" {
                if bytes.len() > max_media {
                    return Err("media too large");
                }
                posted.media = Some(bytes.to_vec());
            } else {
                posted.fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    } else {
        let body = Bytes::from_request(req, state).await.map_err(|_| "unreadable body")?;
        for (k, v) in form_pairs(&body) {
            posted.fields.insert(k, v);
        }
    }
    Ok(posted)
}

/// `application/x-www-form-urlencoded` pairs.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'%', Some(b)) => {
                    out.push(b);
                    i += 3;
                }
                (b'+', _) => {
                    out.push(b' ');
                    i += 1;
                }
                (b, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `POST /open311/v2/requests.{fmt}`.
pub async fn post_request(State(state): State<Shared>, Path(file): Path<String>, req: Request) -> Response {
    let Some(("requests", fmt)) = split(&file) else {
        return error(Fmt::Json, StatusCode::NOT_FOUND, "unknown resource");
    };
    let peer = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let crate::routes::ClientIp(ip) = crate::routes::ClientIp::of(peer, req.headers(), &state.config.trusted_proxies);
    let per_ip = state.config.ip_creates_per_minute;
    if per_ip > 0 && limited(&state, &format!("open311:{ip}"), per_ip, Lang::En).await.is_err() {
        return error(fmt, StatusCode::TOO_MANY_REQUESTS, "too many requests");
    }
    let posted = match read_posted(req, &state, state.config.max_photo_bytes as usize).await {
        Ok(p) => p,
        Err(why) => return error(fmt, StatusCode::BAD_REQUEST, why),
    };
    let field = |k: &str| posted.fields.get(k).map(String::as_str).filter(|v| !v.trim().is_empty());
    let Some(key) = field("api_key") else { return error(fmt, StatusCode::FORBIDDEN, "api_key is required") };
    if !crate::auth::api_key_valid(&state, key).await {
        return error(fmt, StatusCode::FORBIDDEN, "invalid api_key");
    }
    let Some(service_code) = field("service_code").map(str::to_owned) else {
        return error(fmt, StatusCode::BAD_REQUEST, "service_code is required");
    };
    let num = |k: &str| field(k).map(|v| v.trim().parse::<f64>());
    let (mut lat, mut lon) = match (num("lat"), num("long")) {
        (Some(Ok(a)), Some(Ok(b))) => (Some(a), Some(b)),
        (None, None) => (None, None),
        _ => return error(fmt, StatusCode::BAD_REQUEST, "lat and long must both be numbers"),
    };
    // GeoReport v2 takes a location as lat/long, address_string or
    // address_id; an id is looked up in the district's address register.
    let mut address = field("address_string").map(str::to_owned);
    if let Some(id) = field("address_id") {
        let Some(a) = state.reports.district().addresses.get(id.trim()) else {
            return error(fmt, StatusCode::BAD_REQUEST, "unknown address_id");
        };
        if lat.is_none() {
            (lat, lon) = (Some(a.lat), Some(a.lon));
        }
        address.get_or_insert_with(|| a.label.clone());
    }
    // The same check and cleaning as a tus upload: a whole JPEG, within the
    // decode budget, published without its EXIF (GPS), XMP or comments.
    let media = match posted.media {
        Some(bytes) => match crate::jpeg::accept(&bytes, state.config.decode_budget) {
            Ok(a) => Some((a.clean.into_owned(), (a.width, a.height))),
            Err(crate::jpeg::Refused::TooCostly { .. }) => {
                return error(fmt, StatusCode::BAD_REQUEST, "media needs too much memory to process");
            }
            Err(_) => return error(fmt, StatusCode::BAD_REQUEST, "media must be a whole JPEG photo"),
        },
        None => None,
    };
    // The request as the app's wire body: one intake, one set of rules.
    let full_name = [field("first_name").unwrap_or(""), field("last_name").unwrap_or("")].join(" ");
    let body = ReportBody {
        category: service_code,
        description: field("description").unwrap_or("").to_owned(),
        lat,
        lon,
        accuracy_m: None,
        address,
        // An aggregator's phone that is not a Vietnamese number is dropped,
        // not refused: the report still matters.
        reporter: WireReporter {
            name: Some(full_name),
            phone: field("phone").and_then(|p| phananh_protocol::normalize_phone(p).ok()),
            anonymous: false,
        },
        on_behalf_of: None,
        photos: Vec::new(),
        created_at: None,
    };
    let client_id = uuid::Uuid::now_v7().to_string();
    let intake = Intake {
        body_hash: hex::encode(client_id.as_bytes()),
        client_id,
        device_id: None,
        source: Source::Open311,
        body,
        inline_photos: u32::from(media.is_some()),
        // A photo somewhere else: kept and listed back, as clients expect.
        media_url: field("media_url")
            .filter(|u| (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2000)
            .map(str::to_owned),
    };
    let Created { id: report_id, tracking_code: code } = match state.reports.create(intake).await {
        Ok(created) => created,
        // An unknown service is "not found", as the spec has it.
        Err(ServiceError::Refused { code: "unknown_category", .. }) => {
            return error(fmt, StatusCode::NOT_FOUND, "service_code not found");
        }
        Err(e) if e.is_refusal() => return error(fmt, StatusCode::BAD_REQUEST, &e.message(Lang::En)),
        Err(_) => return error(fmt, StatusCode::INTERNAL_SERVER_ERROR, "storage error"),
    };
    if let Some((jpeg, size)) = media {
        let Ok(_decoding) = state.decodes.acquire().await else {
            return error(fmt, StatusCode::SERVICE_UNAVAILABLE, "shutting down");
        };
        if let Err(e) = state.reports.add_photo(report_id, 0, jpeg, size, false).await {
            tracing::warn!(error = %e, "an Open311 photo could not be kept");
        }
    }
    let out = vec![json!({"service_request_id": code, "service_notice": SERVICE_NOTICE, "account_id": null})];
    match fmt {
        Fmt::Json => respond(fmt, StatusCode::CREATED, Value::Array(out).to_string()),
        Fmt::Xml => {
            respond(fmt, StatusCode::CREATED, crate::xml::list("service_requests", "request", &out, REQUEST_ORDER))
        }
    }
}

/// The responsible unit's name (Open311 is answered in Vietnamese, the
/// district's language); the district itself for reports from before units.
fn unit_name(state: &Shared, code: Option<&str>) -> String {
    let district = state.reports.district();
    code.and_then(|c| district.unit(c)).unwrap_or(district.top()).name_vi.clone()
}

/// `GET /open311/v2/tokens/{token}.{fmt}`: a request's id from the token a
/// POST answered with. Every POST here answers with the id at once, so a
/// token is the tracking code itself.
pub async fn token(State(state): State<Shared>, Path(file): Path<String>) -> Response {
    let Some((token, fmt)) = split(&file) else { return error(Fmt::Json, StatusCode::NOT_FOUND, "unknown format") };
    let code = tracking::normalize(token);
    let known = state.store.public_report(code.clone()).await.ok().flatten().is_some();
    if !known {
        return error(fmt, StatusCode::NOT_FOUND, "token not found");
    }
    let rows = vec![json!({"service_request_id": code, "token": token})];
    list(fmt, "service_requests", "request", rows, &["service_request_id", "token"])
}

/// Anything else under `/open311/v2/`: Open311's own error list, in XML
/// for a `.xml` path.
pub async fn unknown(axum::extract::OriginalUri(uri): axum::extract::OriginalUri) -> Response {
    let fmt = if uri.path().ends_with(".xml") { Fmt::Xml } else { Fmt::Json };
    error(fmt, StatusCode::NOT_FOUND, "unknown resource")
}
