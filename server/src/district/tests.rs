//! Units, boundaries and routing, on the demo district and on broken files.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use super::*;

fn demo() -> District {
    crate::demo::district()
}

fn parse(toml: &str, geojson: &str) -> Result<District, ConfigError> {
    let geojson = geojson.to_owned();
    config::parse(toml, Path::new("test.toml"), move |_| Ok(geojson.clone()))
}

#[test]
fn the_demo_has_the_district_four_offices_and_33_communes_and_towns() {
    let d = demo();
    assert_eq!(d.top().code, "DL");
    assert_eq!(d.top().kind, Kind::District);
    let count = |k: Kind| d.units().iter().filter(|u| u.kind == k).count();
    assert_eq!((count(Kind::Department), count(Kind::Commune), count(Kind::Town)), (4, 32, 1));
    assert!(d.units().iter().filter(|u| u.kind.is_local()).all(|u| u.boundary.is_some()));
    assert!(d.approximate_boundaries, "demo boundaries say they are approximate");
    assert_eq!(d.unit("TRANG_SON").unwrap().name_vi, "UBND xã Tràng Sơn");
}

#[test]
fn the_demo_boundaries_cover_the_service_area_once() {
    let d = demo();
    let area = crate::demo::DO_LUONG;
    let total: f64 = d.units().iter().filter_map(|u| u.boundary.as_ref()).map(|b| b.unsigned_area()).sum();
    let expected = (area.max_lat - area.min_lat) * (area.max_lon - area.min_lon);
    assert!((total - expected).abs() < 1e-9, "{total} vs {expected}: no gap, no overlap");
    // A grid of points across the area: each in exactly one place.
    for i in 0..40 {
        for j in 0..40 {
            let lat = area.min_lat + (area.max_lat - area.min_lat) * (f64::from(i) + 0.5) / 40.0;
            let lon = area.min_lon + (area.max_lon - area.min_lon) * (f64::from(j) + 0.5) / 40.0;
            let holders = d
                .units()
                .iter()
                .filter(|u| u.boundary.as_ref().is_some_and(|b| b.contains(&Point::new(lon, lat))))
                .count();
            assert_eq!(holders, 1, "({lat}, {lon})");
        }
    }
}

/// (category, point, expected unit, why).
type Case = (&'static str, Option<(f64, f64)>, &'static str, Reason);

/// The routing table: each demo category at points in several communes.
#[test]
fn routing_table() {
    let d = demo();
    let trang_son = (18.82, 105.355); // south row, 8th cell
    let bai_son = (19.04, 105.16); // north-west corner cell
    let town = (18.92, 105.31); // middle row, 17th cell
    let outside = (20.5, 106.0);
    let cases: &[Case] = &[
        ("den_duong", Some(trang_son), "TRANG_SON", Reason::Location),
        ("den_duong", Some(bai_son), "BAI_SON", Reason::Location),
        ("den_duong", Some(town), "TT_DO_LUONG", Reason::Location),
        ("o_ga", Some(trang_son), "TRANG_SON", Reason::Location),
        ("rac_thai", Some(bai_son), "BAI_SON", Reason::Location),
        ("ngap_ung", Some(town), "TT_DO_LUONG", Reason::Location),
        ("cay_do", Some(trang_son), "TRANG_SON", Reason::Location),
        ("quoc_lo", Some(trang_son), "KTHT", Reason::CategoryRule),
        ("nuoc_sach", Some(bai_son), "KTHT", Reason::CategoryRule),
        ("dien", Some(town), "DIEN_LUC", Reason::CategoryRule),
        ("o_nhiem", Some(town), "TNMT", Reason::CategoryRule),
        ("an_ninh", Some(bai_son), "CA", Reason::CategoryRule),
        ("an_ninh", None, "CA", Reason::CategoryRule),
        ("khac", Some(town), "DL", Reason::Fallback),
        ("den_duong", None, "DL", Reason::Fallback),
        ("den_duong", Some(outside), "DL", Reason::Fallback),
        ("den_duong", Some((f64::NAN, 105.3)), "DL", Reason::Fallback),
        ("no_such_category", Some(town), "DL", Reason::Fallback),
    ];
    for &(category, point, unit, why) in cases {
        let (got, reason) = d.route(category, point);
        assert_eq!((got.code.as_str(), reason), (unit, why), "{category} at {point:?}");
    }
}

#[test]
fn a_point_on_a_shared_edge_belongs_to_a_commune() {
    let d = demo();
    let edge_lat = 18.883333; // between the middle and south rows
    let (unit, reason) = d.route("den_duong", Some((edge_lat, 105.30)));
    assert_eq!(reason, Reason::Location);
    assert!(unit.kind.is_local());
}

#[test]
fn deadlines_per_category_and_priority() {
    let d = demo();
    let day = d.calendar.minutes_per_day();
    assert_eq!(d.deadline_minutes("o_ga", Priority::Normal), (8 * 60, 5 * day));
    assert_eq!(d.deadline_minutes("o_ga", Priority::Urgent), (2 * 60, 24 * 60));
    assert_eq!(d.deadline_minutes("an_ninh", Priority::Normal), (8 * 60, 2 * day));
    assert_eq!(d.deadline_minutes("cay_do", Priority::Normal), (4 * 60, 2 * day));
    assert!(d.calendar.holidays.contains(&time::macros::date!(2026 - 02 - 17)), "Tết is a holiday");
    let templates = d.reply_templates("den_duong");
    assert_eq!(templates.first(), Some(&"Đã thay bóng đèn, đèn đã sáng trở lại."), "the category's own first");
    assert!(templates.len() > 1 && d.reply_templates("khac").len() == templates.len() - 1, "then those for all");
}

const SQUARE_A: &str = r#"{"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}"#;
const SQUARE_B_OVERLAP: &str = r#"{"type":"Feature","properties":{"code":"B"},"geometry":{"type":"Polygon","coordinates":[[[0.5,0],[2,0],[2,1],[0.5,1],[0.5,0]]]}}"#;
const SQUARE_B: &str = r#"{"type":"Feature","properties":{"code":"B"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}"#;

fn collection(features: &[&str]) -> String {
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

const BASE: &str = r#"
[district]
code = "D"
name_vi = "Huyện"
name_en = "District"
boundaries = "b.geojson"
[[units]]
code = "A"
kind = "commune"
name_vi = "Xã A"
name_en = "A"
[[units]]
code = "B"
kind = "commune"
name_vi = "Xã B"
name_en = "B"
[[rules]]
category = "den_duong"
to = "commune"
"#;

#[test]
fn a_small_district_parses_and_routes() {
    let d = parse(BASE, &collection(&[SQUARE_A, SQUARE_B])).unwrap();
    assert_eq!(d.route("den_duong", Some((0.5, 0.5))).0.code, "A");
    assert_eq!(d.route("den_duong", Some((0.5, 1.5))).0.code, "B");
    assert_eq!(d.route("den_duong", Some((0.5, 3.0))).0.code, "D");
}

#[test]
fn broken_configurations_say_what_and_where() {
    let both = collection(&[SQUARE_A, SQUARE_B]);
    let cases: Vec<(String, String, &str)> = vec![
        (BASE.into(), collection(&[SQUARE_A, SQUARE_B_OVERLAP]), "overlap"),
        (BASE.into(), collection(&[SQUARE_A]), "needs a boundary"),
        (BASE.into(), "not json".into(), "not GeoJSON"),
        (BASE.replace("code = \"B\"", "code = \"A\""), both.clone(), "used twice"),
        (BASE.replace("to = \"commune\"", "to = \"NOPE\""), both.clone(), "neither a unit"),
        (BASE.replace("code = \"A\"", "code = \"a b\""), both.clone(), "unit code"),
        (format!("{BASE}[calendar]\nhours = [\"07:00-11:30\", \"11:00-17:00\"]\n"), both.clone(), "without overlap"),
        (format!("{BASE}[calendar]\nhours = [\"7h-11h\"]\n"), both.clone(), "07:00-11:30"),
        (format!("{BASE}[calendar]\nholidays = [\"2026-13-01\"]\n"), both.clone(), "calendar holiday"),
        (format!("{BASE}[calendar]\nholidays = [\"2026-03-01..2026-02-01\"]\n"), both.clone(), "goes forward"),
        (format!("{BASE}[deadlines]\nack_minutes = 3\n"), both.clone(), "unknown field"),
        (BASE.replace("kind = \"commune\"", "kind = \"province\""), both.clone(), "unknown variant"),
        (
            format!(
                "{BASE}[[units]]\ncode = \"C\"\nkind = \"department\"\nname_vi = \"C\"\nname_en = \"C\"\nparent = \"Z\"\n"
            ),
            both.clone(),
            "parent Z",
        ),
    ];
    for (toml, geojson, expected) in cases {
        let err = parse(&toml, &geojson).err().unwrap_or_else(|| panic!("accepted: {expected}")).to_string();
        assert!(err.contains(expected), "{err:?} should say {expected:?}");
    }
}
