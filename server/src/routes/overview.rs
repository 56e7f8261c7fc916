//! The district at a glance: the public scoreboard and figures, the maps,
//! the charts, the exports and the monthly summary. Parse, call
//! [`crate::service::overview`], render.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use phananh_protocol::Lang;
use serde::Deserialize;

use crate::error::ApiError;
use crate::export::{self, XLSX_TYPE};
use crate::pages::overview::{ChartsPage, PublicMapPage, ScoreboardPage, StaffMapPage, SummaryPage};
use crate::pages::{StaffList, render};
use crate::routes::public::LangQuery;
use crate::routes::staff_api::Period;
use crate::service::overview::{ChartsView, MapBox, MapView, PublicStats};
use crate::state::Shared;
use crate::storage::{ReportFilter, Staff};

/// The map's box and zoom, next to the list's filters in the query.
#[derive(Debug, Deserialize)]
pub struct MapArea {
    bbox: String,
    zoom: Option<u8>,
}

/// `?month=YYYY-MM`.
#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
    lang: Option<String>,
}

fn lang_of(q: Option<&str>) -> Lang {
    if q == Some("en") { Lang::En } else { Lang::Vi }
}

/// `GET /thong-ke` (`?lang=en`): the public scoreboard.
pub async fn scoreboard(State(state): State<Shared>, Query(q): Query<LangQuery>) -> Result<Response, ApiError> {
    let lang = lang_of(q.lang.as_deref());
    let board = state.reports.scoreboard().await?;
    let mut page = render(StatusCode::OK, &ScoreboardPage::new(&board, state.reports.district(), lang));
    page.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    Ok(page)
}

/// `GET /api/v1/stats?from=YYYY-MM-DD&to=YYYY-MM-DD`: the public figures,
/// per unit and for the district.
pub async fn stats(State(state): State<Shared>, Query(p): Query<Period>) -> Result<Response, ApiError> {
    let stats: PublicStats = state.reports.public_stats(p.from.as_deref(), p.to.as_deref()).await?;
    Ok(([(CACHE_CONTROL, "public, max-age=60")], Json(stats)).into_response())
}

/// The map's bounds: the district's service area, or Đô Lương's.
async fn bounds(state: &Shared) -> Result<[f64; 4], ApiError> {
    let area = state.store.service_area().await?.unwrap_or(crate::demo::DO_LUONG);
    Ok([area.min_lon, area.min_lat, area.max_lon, area.max_lat])
}

/// A map page's Content-Security-Policy: ours, plus its script's requests
/// to our own API (`connect-src 'self'`) and images from the tile server
/// when there is one.
fn with_map_policy(state: &Shared, mut page: Response) -> Response {
    let tiles = state.config.map_tiles.as_ref().and_then(|t| t.origin());
    let images = match tiles {
        Some(origin) => format!("img-src 'self' data: {origin}; connect-src 'self'"),
        None => "img-src 'self' data:; connect-src 'self'".to_owned(),
    };
    let policy = super::CSP.replace("img-src 'self' data:", &images);
    if let Ok(v) = HeaderValue::from_str(&policy) {
        page.headers_mut().insert(HeaderName::from_static("content-security-policy"), v);
    }
    page
}

/// `GET /ban-do` (`?lang=en`): the public map.
pub async fn public_map_page(State(state): State<Shared>, Query(q): Query<LangQuery>) -> Result<Response, ApiError> {
    let lang = lang_of(q.lang.as_deref());
    let bounds = bounds(&state).await?;
    let page = PublicMapPage::new(state.reports.district(), state.config.map_tiles.as_ref(), bounds, lang);
    Ok(with_map_policy(&state, render(StatusCode::OK, &page)))
}

/// `GET /api/v1/map?bbox=W,S,E,N&zoom=Z&status=&category=`: the public
/// map's clusters and reports (code, status, category: public fields).
pub async fn public_map(
    State(state): State<Shared>,
    Query(area): Query<MapArea>,
    Query(filter): Query<ReportFilter>,
) -> Result<Json<MapView>, ApiError> {
    let area = MapBox::parse(&area.bbox, area.zoom)?;
    Ok(Json(state.reports.map(None, filter, area).await?))
}

/// `GET /api/v1/district/boundaries`: the communes' boundaries as GeoJSON
/// (code and names in each feature's properties).
pub async fn boundaries(State(state): State<Shared>) -> Response {
    let features: Vec<geojson::Feature> = state
        .reports
        .district()
        .units()
        .iter()
        .filter_map(|u| {
            let shape = u.boundary.as_ref()?;
            let mut f = geojson::Feature::from(geojson::Geometry::from(shape));
            f.set_property("code", u.code.clone());
            f.set_property("name", u.name_vi.clone());
            f.set_property("name_en", u.name_en.clone());
            Some(f)
        })
        .collect();
    let collection = geojson::FeatureCollection { bbox: None, features, foreign_members: None };
    ([(CONTENT_TYPE, "application/geo+json"), (CACHE_CONTROL, "public, max-age=3600")], collection.to_string())
        .into_response()
}

/// `GET /staff/map`: the list's filters over a map.
pub async fn staff_map_page(
    State(state): State<Shared>,
    staff: Result<Staff, ApiError>,
    Query(f): Query<ReportFilter>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let Ok(staff) = staff else { return Ok(super::staff_html::redirect("/staff")) };
    let categories = state.store.categories().await?;
    let list = StaffList::new(&staff, &f, &[], &categories, state.reports.district(), state.now_ms());
    let bounds = bounds(&state).await?;
    let query = uri.query().unwrap_or_default().to_owned();
    let page = StaffMapPage::new(list, state.config.map_tiles.as_ref(), bounds, query);
    Ok(with_map_policy(&state, render(StatusCode::OK, &page)))
}

/// `GET /api/v1/staff/map?bbox=W,S,E,N&zoom=Z&…the list's filters`.
pub async fn staff_map(
    State(state): State<Shared>,
    staff: Staff,
    Query(area): Query<MapArea>,
    Query(filter): Query<ReportFilter>,
) -> Result<Json<MapView>, ApiError> {
    let area = MapBox::parse(&area.bbox, area.zoom)?;
    Ok(Json(state.reports.map(Some(&staff), filter, area).await?))
}

/// `GET /staff/charts?from=&to=`.
pub async fn charts_page(
    State(state): State<Shared>,
    staff: Result<Staff, ApiError>,
    Query(p): Query<Period>,
) -> Result<Response, ApiError> {
    let Ok(staff) = staff else { return Ok(super::staff_html::redirect("/staff")) };
    let view = state.reports.charts(&staff, p.from.as_deref(), p.to.as_deref()).await?;
    Ok(render(StatusCode::OK, &ChartsPage::new(&staff, &view, state.reports.district())))
}

/// `GET /api/v1/staff/charts?from=&to=`: every chart's figures.
pub async fn charts(
    State(state): State<Shared>,
    staff: Staff,
    Query(p): Query<Period>,
) -> Result<Json<ChartsView>, ApiError> {
    Ok(Json(state.reports.charts(&staff, p.from.as_deref(), p.to.as_deref()).await?))
}

/// A file to download.
fn download(bytes: Result<Vec<u8>, export::ExportError>, mime: &'static str, name: &str) -> Result<Response, ApiError> {
    let bytes = bytes.map_err(|e| {
        tracing::error!(error = %e, "an export failed to write");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "export_failed",
            Lang::Vi,
            "Không tạo được tệp",
            "The file could not be written",
        )
    })?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static(mime)),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/v1/staff/export.xlsx?…the list's filters` (`lang=en` for
/// English headings and labels).
pub async fn export_xlsx(
    State(state): State<Shared>,
    staff: Staff,
    Query(f): Query<ReportFilter>,
    Query(l): Query<LangQuery>,
) -> Result<Response, ApiError> {
    let lang = lang_of(l.lang.as_deref());
    let lines = state.reports.export(&staff, f, lang).await?;
    download(export::list_xlsx(&lines, lang), XLSX_TYPE, &file_name(&state, "phan-anh", "xlsx"))
}

/// `GET /api/v1/staff/export.csv?…the list's filters`.
pub async fn export_csv(
    State(state): State<Shared>,
    staff: Staff,
    Query(f): Query<ReportFilter>,
    Query(l): Query<LangQuery>,
) -> Result<Response, ApiError> {
    let lang = lang_of(l.lang.as_deref());
    let lines = state.reports.export(&staff, f, lang).await?;
    download(export::list_csv(&lines, lang), "text/csv; charset=utf-8", &file_name(&state, "phan-anh", "csv"))
}

fn file_name(state: &Shared, what: &str, ext: &str) -> String {
    format!("{what}-{}.{ext}", phananh_protocol::vn_time::iso_date(state.now_ms()))
}

/// `GET /staff/summary?month=YYYY-MM`: the monthly summary, printable on A4.
pub async fn summary_page(
    State(state): State<Shared>,
    staff: Result<Staff, ApiError>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, ApiError> {
    let Ok(staff) = staff else { return Ok(super::staff_html::redirect("/staff")) };
    let summary = state.reports.monthly_summary(q.month.as_deref()).await?;
    Ok(render(StatusCode::OK, &SummaryPage::new(&staff, &summary, state.reports.district(), state.now_ms())))
}

/// `GET /api/v1/staff/summary.xlsx?month=YYYY-MM`.
pub async fn summary_xlsx(
    State(state): State<Shared>,
    _staff: Staff,
    Query(q): Query<MonthQuery>,
) -> Result<Response, ApiError> {
    let lang = lang_of(q.lang.as_deref());
    let s = state.reports.monthly_summary(q.month.as_deref()).await?;
    download(export::summary_xlsx(&s, lang), XLSX_TYPE, &format!("tong-hop-{}.xlsx", s.month))
}

/// `GET /api/v1/staff/summary.csv?month=YYYY-MM`.
pub async fn summary_csv(
    State(state): State<Shared>,
    _staff: Staff,
    Query(q): Query<MonthQuery>,
) -> Result<Response, ApiError> {
    let lang = lang_of(q.lang.as_deref());
    let s = state.reports.monthly_summary(q.month.as_deref()).await?;
    download(export::summary_csv(&s, lang), "text/csv; charset=utf-8", &format!("tong-hop-{}.csv", s.month))
}

/// Leaflet and the maps' script, built into the binary (no CDN).
pub mod assets {
    use super::*;

    const LEAFLET_JS: &str = include_str!("../../assets/leaflet/leaflet.js");
    const LEAFLET_CSS: &str = include_str!("../../assets/leaflet/leaflet.css");
    const LEAFLET_LICENSE: &str = include_str!("../../assets/leaflet/LICENSE");
    const MAP_JS: &str = include_str!("../../static/map.js");

    fn asset(mime: &'static str, body: &'static str) -> Response {
        ([(CONTENT_TYPE, mime), (CACHE_CONTROL, "public, max-age=86400")], body).into_response()
    }

    /// `GET /static/leaflet.js`.
    pub async fn leaflet_js() -> Response {
        asset("text/javascript; charset=utf-8", LEAFLET_JS)
    }
    /// `GET /static/leaflet.css`.
    pub async fn leaflet_css() -> Response {
        asset("text/css; charset=utf-8", LEAFLET_CSS)
    }
    /// `GET /static/leaflet-LICENSE.txt`.
    pub async fn leaflet_license() -> Response {
        asset("text/plain; charset=utf-8", LEAFLET_LICENSE)
    }
    /// `GET /static/map.js`.
    pub async fn map_js() -> Response {
        asset("text/javascript; charset=utf-8", MAP_JS)
    }
}
