//! What the server tells us, kept for offline use: status changes and the
//! changes cursor, the category list with its ETag, and the last duplicate
//! hints near each place asked about.

use phananh_protocol::geo::distance_m;
use phananh_protocol::wire::{NearbyReport, Services};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::meta::{LIMITS, SERVICE_AREA, get_json, set_json};
use super::outbox::{insert_history, refresh_status};
use super::{Store, from_ms};
use crate::error::{Result, StorageContext};
use crate::model::{ReportId, Status, StatusEntry};

const CURSOR: &str = "changes_cursor";
const SERVICES: &str = "services";
const SERVICES_ETAG: &str = "services_etag";
const NEARBY: &str = "nearby_cache";
/// How many places' duplicate hints are kept.
const NEARBY_KEEP: usize = 20;
/// A cached answer is used for a point within this distance of where it was asked.
const NEARBY_REUSE_M: f64 = 300.0;

/// One status change from the server's changes feed.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusUpdate {
    /// The report (the client id it was sent with).
    pub report: ReportId,
    /// The change, with the official reply if any.
    pub entry: StatusEntry,
}

/// Duplicate hints, fresh from the server or from the cache when offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearbyHints {
    /// Open reports near the point, nearest first.
    pub reports: Vec<NearbyReport>,
    /// When the server gave this answer.
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_at: OffsetDateTime,
    /// True when the server could not be asked and this is the last answer
    /// for a point nearby.
    #[serde(default)]
    pub from_cache: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedNearby {
    lat: f64,
    lon: f64,
    category: Option<String>,
    at_ms: i64,
    reports: Vec<NearbyReport>,
}

impl Store {
    /// Where the changes feed continues from (`None` before the first pull).
    pub fn changes_cursor(&self) -> Result<Option<String>> {
        get_json(&self.conn(), CURSOR)
    }

    /// Apply one page of the changes feed and store its cursor, in one
    /// transaction, with the notifications it deserves (`notify::decide`).
    /// Changes for reports not on this device (nor followed) are skipped; a
    /// change already stored is not stored again. Returns the reports whose
    /// status or replies changed, with their current status.
    pub fn apply_changes(
        &self,
        changes: &[StatusUpdate],
        followed: &[super::FollowedUpdate],
        next_cursor: &str,
    ) -> Result<Vec<(ReportId, Status)>> {
        let mut conn = self.progress_conn();
        let tx = conn.transaction().context("applying status changes")?;
        let mut touched: Vec<ReportId> = Vec::new();
        let mut fresh: Vec<crate::notify::Change> = Vec::new();
        for change in changes {
            let code: Option<Option<String>> = tx
                .prepare_cached("SELECT tracking_code FROM reports WHERE id = ?1")
                .and_then(|mut s| s.query_row([change.report.to_string()], |r| r.get(0)).optional())
                .context("applying status changes")?;
            let Some(code) = code else { continue };
            if insert_history(&tx, change.report, &change.entry)? {
                fresh.push(crate::notify::Change {
                    whose: crate::notify::Whose::Own(change.report),
                    tracking_code: code.unwrap_or_default(),
                    entry: change.entry.clone(),
                });
                if !touched.contains(&change.report) {
                    touched.push(change.report);
                }
            }
        }
        for change in followed {
            if super::feedback::insert_followed(&tx, &change.tracking_code, &change.entry)? {
                fresh.push(crate::notify::Change {
                    whose: crate::notify::Whose::Followed,
                    tracking_code: change.tracking_code.clone(),
                    entry: change.entry.clone(),
                });
            }
        }
        super::feedback::keep_notifications(&tx, &crate::notify::decide(&fresh))?;
        let mut out = Vec::new();
        for id in touched {
            if let Some(status) = refresh_status(&tx, id)? {
                tx.execute("UPDATE reports SET updated_at = ?2 WHERE id = ?1", (id.to_string(), self.now_ms()))
                    .context("applying status changes")?;
                out.push((id, status));
            }
        }
        set_json(&tx, CURSOR, Some(&next_cursor))?;
        tx.commit().context("applying status changes")?;
        Ok(out)
    }

    /// The categories, service area and limits last received, if any.
    pub fn cached_services(&self) -> Result<Option<Services>> {
        get_json(&self.conn(), SERVICES)
    }

    /// The ETag of [`Store::cached_services`], for `If-None-Match`.
    pub fn services_etag(&self) -> Result<Option<String>> {
        get_json(&self.conn(), SERVICES_ETAG)
    }

    /// Keep a fresh category list, and the limits and service area that
    /// came with it (submit checks against those offline).
    pub fn save_services(&self, services: &Services, etag: Option<&str>) -> Result<()> {
        let mut conn = self.progress_conn();
        let tx = conn.transaction().context("saving the category list")?;
        set_json(&tx, SERVICES, Some(services))?;
        set_json(&tx, SERVICES_ETAG, etag.as_ref())?;
        set_json(&tx, LIMITS, Some(&services.limits))?;
        set_json(&tx, SERVICE_AREA, services.service_area.as_ref())?;
        tx.commit().context("saving the category list")
    }

    /// Remember the server's duplicate hints for a point.
    pub fn cache_nearby(&self, lat: f64, lon: f64, category: Option<&str>, reports: &[NearbyReport]) -> Result<()> {
        let mut conn = self.progress_conn();
        let tx = conn.transaction().context("saving duplicate hints")?;
        let mut cache: Vec<CachedNearby> = get_json(&tx, NEARBY)?.unwrap_or_default();
        cache.retain(|c| !(c.category.as_deref() == category && distance_m(c.lat, c.lon, lat, lon) < NEARBY_REUSE_M));
        cache.insert(
            0,
            CachedNearby {
                lat,
                lon,
                category: category.map(str::to_owned),
                at_ms: self.now_ms(),
                reports: reports.to_vec(),
            },
        );
        cache.truncate(NEARBY_KEEP);
        set_json(&tx, NEARBY, Some(&cache))?;
        tx.commit().context("saving duplicate hints")
    }

    /// The last duplicate hints asked near this point, for offline use.
    pub fn cached_nearby(&self, lat: f64, lon: f64, category: Option<&str>) -> Result<Option<NearbyHints>> {
        let cache: Vec<CachedNearby> = get_json(&self.conn(), NEARBY)?.unwrap_or_default();
        Ok(cache
            .into_iter()
            .filter(|c| c.category.as_deref() == category && distance_m(c.lat, c.lon, lat, lon) < NEARBY_REUSE_M)
            .min_by(|a, b| distance_m(a.lat, a.lon, lat, lon).total_cmp(&distance_m(b.lat, b.lon, lat, lon)))
            .map(|c| NearbyHints { reports: c.reports, fetched_at: from_ms(c.at_ms), from_cache: true }))
    }
}
