//! Synthetic reports for the demo, the overview's browser tests and the
//! benchmarks: many reports spread over the district's communes (each
//! point inside its commune's boundary), a year back from `now`, with
//! units, deadlines, answers, ratings and volunteers' reports in believable
//! shares. They are written straight into the SQLite file in one
//! transaction (200 000 take seconds; through the API they would take
//! minutes), so this is for an embedded data directory only.

use std::path::Path;

use geo::{BoundingRect, Contains, Point};
use rusqlite::{Connection, params};

use crate::district::District;

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filled {
    /// Reports.
    pub reports: i64,
    /// Of them resolved or answered.
    pub closed: i64,
    /// Ratings.
    pub ratings: i64,
}

/// A small deterministic generator (SplitMix64): the same seed gives the
/// same district, so a test can assert figures.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const CATEGORIES: [&str; 10] =
    ["o_ga", "den_duong", "rac_thai", "ngap_ung", "cay_do", "dien", "nuoc_sach", "o_nhiem", "an_ninh", "khac"];
const WHAT: [&str; 10] = [
    "Ổ gà lớn giữa đường",
    "Đèn đường không sáng",
    "Rác thải đổ bừa bãi",
    "Ngập nước sau mưa",
    "Cây đổ chắn lối đi",
    "Dây điện võng thấp",
    "Nước sinh hoạt đục",
    "Khói đốt rơm gây ô nhiễm",
    "Tụ tập gây mất trật tự",
    "Biển báo bị đổ",
];

/// Write `count` reports into the database at `path` (its schema must be
/// there: open it with the server once first), received over the year
/// before `now_ms`. Codes are `DL-000001`… (hexadecimal after the 0),
/// which never collide with real ones. Nothing is written if the database has them already.
pub fn fill(path: &Path, district: &District, count: i64, now_ms: i64, seed: u64) -> rusqlite::Result<Filled> {
    let mut rng = Rng(seed);
    let communes: Vec<_> = district.units().iter().filter(|u| u.kind.is_local() && u.boundary.is_some()).collect();
    let offices: Vec<&str> = district.units().iter().filter(|u| !u.kind.is_local()).map(|u| u.code.as_str()).collect();
    let mut c = Connection::open(path)?;
    c.busy_timeout(std::time::Duration::from_secs(10))?;
    // Immediate: the running server writes too, and a deferred
    // transaction that read first cannot take the write lock after another
    // writer committed (SQLITE_BUSY at once, whatever the busy timeout).
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Once only: a data directory that has them keeps them.
    let there: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM reports WHERE client_id >= 'synthetic-' AND client_id < 'synthetic.')",
        [],
        |r| r.get(0),
    )?;
    if there {
        return Ok(Filled { reports: 0, closed: 0, ratings: 0 });
    }
    let mut filled = Filled { reports: 0, closed: 0, ratings: 0 };
    {
        let mut insert = tx.prepare(
            "INSERT INTO reports (client_id, source, tracking_code, body_hash, response_status, category,
                 description, description_fold, lat, lon, address, for_name, consent, status, created_at, updated_at,
                 unit_code, priority, ack_due_at, due_at, acknowledged_at, closed_at, place_code, address_fold)
             VALUES (?1, 'app', ?2, 'synthetic', 201, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12,
                     ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        )?;
        let mut search = tx.prepare("INSERT INTO reports_search (rowid, text) VALUES (?1, ?2)")?;
        let mut words = tx.prepare("INSERT INTO reports_words (rowid, text) VALUES (?1, ?2)")?;
        let mut rate = tx.prepare(
            "INSERT INTO ratings (report_id, client_id, score, on_behalf, unit_code, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        const YEAR_MS: i64 = 365 * 86_400_000;
        const HOUR: i64 = 3_600_000;
        for i in 0..count {
            let at = now_ms - YEAR_MS + (i * YEAR_MS) / count.max(1) + rng.below(60_000) as i64;
            let (place, lat, lon) = match communes.get(rng.below(communes.len() as u64) as usize) {
                Some(u) => {
                    let (lat, lon) = point_in(u.boundary.as_ref(), &mut rng);
                    (Some(u.code.clone()), lat, lon)
                }
                None => (None, 18.9 + rng.unit() * 0.1, 105.3 + rng.unit() * 0.1),
            };
            let k = rng.below(CATEGORIES.len() as u64) as usize;
            // Roads and power go to the district's offices a third of the
            // time; the rest to the commune.
            let unit = match (offices.is_empty(), rng.below(3)) {
                (false, 0) => Some(offices[rng.below(offices.len() as u64) as usize].to_owned()),
                _ => place.clone(),
            };
            let urgent = rng.below(10) == 0;
            let due = at + if urgent { 2 } else { 5 } * 86_400_000;
            let age = now_ms - at;
            // Older reports are mostly closed; most on time, some late.
            let closes = age > 2 * 86_400_000 && rng.below(100) < 92;
            let closed_at = closes.then(|| {
                let late = rng.below(100) < 3;
                let took = if late {
                    due - at + rng.below(5 * 86_400_000) as i64
                } else {
                    HOUR + rng.below((due - at - HOUR) as u64) as i64
                };
                (at + took).min(now_ms - HOUR)
            });
            let status = match closed_at {
                Some(_) if rng.below(20) == 0 => "rejected",
                Some(_) => "resolved",
                None if rng.below(3) == 0 => "received",
                None if rng.below(2) == 0 => "assigned",
                None => "in_progress",
            };
            let acknowledged = (status != "received").then_some(at + HOUR);
            let behalf = rng.below(100) < 15;
            let description = format!("{} (thôn {})", WHAT[k], 1 + rng.below(12));
            // Six characters after the prefix, as real codes; a real code never
            // has a 0 (its alphabet leaves out 0, O, 1, I and L).
            let code = format!("DL-0{:05X}", i + 1);
            let address = place.as_deref().map(|p| format!("Thôn {}, {}", 1 + i % 12, p));
            insert.execute(params![
                format!("synthetic-{seed}-{i}"),
                code,
                CATEGORIES[k],
                description,
                phananh_protocol::text::fold(&description),
                lat,
                lon,
                address,
                behalf.then_some("Người dân"),
                behalf,
                status,
                at,
                unit,
                if urgent { "urgent" } else { "normal" },
                at + 8 * HOUR,
                due,
                acknowledged,
                closed_at,
                place,
                phananh_protocol::text::fold(address.as_deref().unwrap_or("")),
            ])?;
            let id = tx.last_insert_rowid();
            let text = crate::storage::searchable(&description, &code, address.as_deref());
            search.execute(params![id, text])?;
            words.execute(params![id, text])?;
            filled.reports += 1;
            if let Some(closed) = closed_at {
                filled.closed += 1;
                if rng.below(100) < 60 {
                    let score = match rng.below(100) {
                        0..=89 => "satisfied",
                        90..=96 => "acceptable",
                        _ => "not_satisfied",
                    };
                    rate.execute(params![
                        id,
                        format!("synthetic-rating-{seed}-{i}"),
                        score,
                        behalf,
                        unit,
                        closed + HOUR
                    ])?;
                    filled.ratings += 1;
                }
            }
        }
    }
    tx.commit()?;
    Ok(filled)
}

/// A point inside `boundary` (rejection sampling in its bounding box; the
/// box's centre after 50 misses).
fn point_in(boundary: Option<&geo::MultiPolygon<f64>>, rng: &mut Rng) -> (f64, f64) {
    let Some(shape) = boundary else { return (18.9, 105.3) };
    let Some(rect) = shape.bounding_rect() else { return (18.9, 105.3) };
    for _ in 0..50 {
        let x = rect.min().x + rng.unit() * rect.width();
        let y = rect.min().y + rng.unit() * rect.height();
        if shape.contains(&Point::new(x, y)) {
            return (y, x);
        }
    }
    (rect.center().y, rect.center().x)
}
