//! The HTTP surface: one router, small handlers per area.

pub mod devices;
pub mod feedback;
pub mod open311;
pub mod overview;
pub mod public;
pub mod reports;
pub mod services;
pub mod staff_api;
pub mod staff_html;
pub mod uploads;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts};
use axum::http::header::RETRY_AFTER;
use axum::http::header::{REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::routing::{get, post, put};
use phananh_protocol::Lang;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::error::ApiError;
use crate::state::Shared;

/// Every route.
pub fn router(state: Shared) -> Router {
    let api = Router::new()
        .route("/devices", post(devices::register))
        .route("/services", get(services::services))
        .route("/reports/changes", get(reports::changes))
        .route("/reports/nearby", get(reports::nearby))
        .route("/reports/{client_id}", put(reports::put).get(reports::get))
        .route("/reports/{client_id}/photos", post(uploads::create).options(uploads::options))
        .route("/reports/{client_id}/rating/{rating_id}", put(feedback::rate))
        .route("/reports/{client_id}/reopen/{reopen_id}", put(feedback::reopen))
        .route("/follows/{code}", put(feedback::follow))
        .route("/follows/{code}/photos", post(uploads::create_for_follower).options(uploads::options))
        .route("/uploads", axum::routing::options(uploads::options))
        .route(
            "/uploads/{id}",
            axum::routing::head(uploads::head)
                .patch(uploads::patch)
                .delete(uploads::delete)
                .options(uploads::options)
                // A chunk: the one body on the API that may be large.
                .layer(DefaultBodyLimit::max(uploads::MAX_CHUNK)),
        )
        .route("/staff/login", post(staff_api::login))
        .route("/staff/reports", get(staff_api::list))
        .route("/staff/reports/{code}", get(staff_api::show))
        .route("/staff/reports/{code}/status", post(staff_api::set_status))
        .route("/staff/reports/{code}/duplicate", post(staff_api::mark_duplicate))
        .route("/staff/reports/{code}/assign", post(staff_api::assign))
        .route("/staff/reports/{code}/hand-back", post(staff_api::hand_back))
        .route("/staff/reports/{code}/note", post(staff_api::note))
        .route("/staff/reports/{code}/priority", post(staff_api::priority))
        .route("/staff/reports/{code}/phone", post(staff_api::reveal_phones))
        .route("/staff/reports/{code}/extension", post(staff_api::extension))
        .route("/staff/reports/{code}/extension/decide", post(staff_api::decide))
        .route("/staff/assign", post(staff_api::assign_many))
        .route("/staff/units", get(staff_api::units))
        .route("/staff/audit", get(staff_api::audit_log))
        .route("/staff/stats", get(staff_api::stats))
        .route("/staff/charts", get(overview::charts))
        .route("/staff/map", get(overview::staff_map))
        .route("/staff/export.xlsx", get(overview::export_xlsx))
        .route("/staff/export.csv", get(overview::export_csv))
        .route("/staff/summary.xlsx", get(overview::summary_xlsx))
        .route("/staff/summary.csv", get(overview::summary_csv))
        .route("/stats", get(overview::stats))
        .route("/map", get(overview::public_map))
        .route("/district/boundaries", get(overview::boundaries))
        .route("/staff/accounts", get(staff_api::accounts).post(staff_api::save_account))
        .route("/staff/accounts/{name}/disable", post(staff_api::disable_account))
        // Every other API body is a small JSON document (a report is at
        // most ~20 KB of text).
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT));
    // Open311 answers even its errors in its own form (XML for `.xml`).
    let open311 = Router::new()
        .route("/{file}", get(open311::top).post(open311::post_request))
        .route("/services/{file}", get(open311::service))
        .route("/requests/{file}", get(open311::request))
        .route("/tokens/{file}", get(open311::token))
        .fallback(open311::unknown);
    Router::new()
        .nest("/api/v1", api)
        .route("/staff", get(staff_html::index))
        .route("/staff/login", post(staff_html::login))
        .route("/staff/logout", post(staff_html::logout))
        .route("/staff/reports", get(staff_html::list))
        .route("/staff/reports/{code}", get(staff_html::show))
        .route("/staff/reports/{code}/status", post(staff_html::set_status))
        .route("/staff/reports/{code}/duplicate", post(staff_html::duplicate))
        .route("/staff/reports/{code}/action", post(staff_html::action))
        .route("/staff/reports/{code}/phone", post(staff_html::reveal_phones))
        .route("/staff/reports/{code}/seen/{n}", get(staff_html::seen))
        .route("/staff/assign", post(staff_html::assign_many))
        .route("/staff/admin", get(staff_html::admin))
        .route("/staff/stats", get(staff_html::stats))
        .route("/staff/charts", get(overview::charts_page))
        .route("/staff/map", get(overview::staff_map_page))
        .route("/staff/summary", get(overview::summary_page))
        .route("/thong-ke", get(overview::scoreboard))
        .route("/ban-do", get(overview::public_map_page))
        .route("/static/leaflet.js", get(overview::assets::leaflet_js))
        .route("/static/leaflet.css", get(overview::assets::leaflet_css))
        .route("/static/leaflet-LICENSE.txt", get(overview::assets::leaflet_license))
        .route("/static/map.js", get(overview::assets::map_js))
        .route("/staff/admin/accounts", post(staff_html::save_account))
        .route("/staff/admin/disable", post(staff_html::disable_account))
        .nest("/open311/v2", open311)
        .route("/r/{code}", get(public::page))
        .route("/r/{code}/photo/{n}", get(public::photo))
        .route("/r/{code}/thumb/{n}", get(public::thumb))
        .route("/r/{code}/fix/{n}", get(public::fix))
        .route("/static/style.css", get(crate::pages::stylesheet))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(not_found)
        // Every error answer speaks the request's language.
        .layer(axum::middleware::from_fn(with_request_lang))
        // Open311 media and staff forms: a photo at most, plus the form.
        .layer(DefaultBodyLimit::max(state.config.max_photo_bytes as usize + 64 * 1024))
        .layer(RequestBodyTimeoutLayer::new(state.config.conn.body_timeout))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .with_state(state)
}

/// Serve the request with its language at hand for error answers
/// ([`crate::error::request_lang`]).
async fn with_request_lang(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let lang = req
        .headers()
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default();
    crate::error::REQUEST_LANG.scope(lang, next.run(req)).await
}

/// Largest JSON body the API reads (all but tus chunks).
pub const API_BODY_LIMIT: usize = 64 * 1024;

/// Every answer's Content-Security-Policy: nothing from elsewhere, no
/// script at all (the pages have none; a future one comes from a file
/// under our origin, never inline), styles from our one stylesheet only
/// (no inline style), no framing.
pub const CSP: &str = "default-src 'none'; img-src 'self' data:; style-src 'self'; \
script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn not_found(headers: HeaderMap) -> ApiError {
    let lang = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default();
    ApiError::not_found(lang)
}

/// The client's IP address: the socket peer, or, when the peer is a proxy
/// the server was told to trust (`--trusted-proxy`, the load balancer in
/// front of replicas), the nearest address in `X-Forwarded-For` that is not
/// one of those proxies (a client can write the header too; only what the
/// trusted proxy appended counts).
pub struct ClientIp(pub String);

impl ClientIp {
    /// From a request's peer and headers, by `trusted` proxies.
    pub fn of(peer: Option<std::net::IpAddr>, headers: &HeaderMap, trusted: &[std::net::IpAddr]) -> ClientIp {
        let Some(mut ip) = peer else { return ClientIp("unknown".into()) };
        if trusted.contains(&ip) {
            let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
            let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).map(str::trim).collect();
            for hop in hops.iter().rev() {
                match hop.parse::<std::net::IpAddr>() {
                    Ok(addr) if trusted.contains(&addr) => continue,
                    Ok(addr) => {
                        ip = addr;
                        break;
                    }
                    // Garbage: stop at the last good address.
                    Err(_) => break,
                }
            }
        }
        ClientIp(ip.to_string())
    }
}

impl FromRequestParts<Shared> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientIp::of(peer, &parts.headers, &state.config.trusted_proxies))
    }
}

/// 429 with `Retry-After` past the limit (counted on every replica alike).
pub async fn limited(state: &Shared, key: &str, per_minute: u32, lang: Lang) -> Result<(), ApiError> {
    let answer = state.shared.hit(key.to_owned(), per_minute, state.now_ms()).await?;
    answer.map_err(|wait| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            lang,
            "Quá nhiều yêu cầu; hãy thử lại sau",
            "Too many requests; try again later",
        )
        .with_header(RETRY_AFTER, &wait.to_string())
    })
}

#[cfg(test)]
mod client_ip_tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let lb: std::net::IpAddr = "127.0.0.1".parse().unwrap_or(std::net::Ipv4Addr::LOCALHOST.into());
        let phone: std::net::IpAddr = "203.0.113.7".parse().unwrap_or(lb);
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("10.9.9.9, 203.0.113.7"));
        assert_eq!(ClientIp::of(Some(lb), &h, &[lb]).0, "203.0.113.7", "the hop the proxy saw");
        assert_eq!(ClientIp::of(Some(lb), &h, &[]).0, "127.0.0.1", "untrusted: the peer");
        assert_eq!(ClientIp::of(Some(phone), &h, &[lb]).0, "203.0.113.7", "a direct client's own header is ignored");
        let mut spoof = HeaderMap::new();
        spoof.insert("x-forwarded-for", HeaderValue::from_static("1.2.3.4, 203.0.113.7, 127.0.0.1"));
        assert_eq!(ClientIp::of(Some(lb), &spoof, &[lb]).0, "203.0.113.7", "what a client wrote before stays out");
        assert_eq!(ClientIp::of(Some(lb), &HeaderMap::new(), &[lb]).0, "127.0.0.1");
        assert_eq!(ClientIp::of(None, &h, &[lb]).0, "unknown");
    }
}
