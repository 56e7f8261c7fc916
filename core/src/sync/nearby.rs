//! Duplicate hints: open reports near a point, from the server, or from
//! the last answer near there when offline.

use super::Syncer;
use crate::error::{Error, Result};
use crate::store::NearbyHints;

/// How far around the point the server is asked to look.
pub const NEARBY_RADIUS_M: u32 = 300;

impl Syncer {
    /// Open reports near `(lat, lon)` (optionally of one category), nearest
    /// first. Offline, the last answer for a point within a few hundred
    /// metres is returned with `from_cache`; with none, `Error::Network`.
    pub async fn nearby(&self, lat: f64, lon: f64, category: Option<&str>) -> Result<NearbyHints> {
        if !lat.is_finite() || !lon.is_finite() || !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(
                phananh_protocol::ValidationErrors(vec![phananh_protocol::ValidationError::LatitudeInvalid]).into()
            );
        }
        let category = category.map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        let fresh = if self.is_online() {
            Some(self.inner.api.nearby(lat, lon, NEARBY_RADIUS_M, category.as_deref(), self.lang()).await)
        } else {
            None
        };
        match fresh {
            Some(Ok(answer)) => {
                let (reports, c) = (answer.reports, category.clone());
                let keep = reports.clone();
                self.db(move |s| s.cache_nearby(lat, lon, c.as_deref(), &keep)).await?;
                Ok(NearbyHints { reports, fetched_at: self.inner.store.now(), from_cache: false })
            }
            Some(Err(super::Failure::Local(e))) => Err(e),
            Some(Err(f @ super::Failure::Rejected { .. })) => Err(f.into_error()),
            other => {
                let why = match other {
                    Some(Err(f)) => f.into_error().to_string(),
                    _ => "offline".to_owned(),
                };
                self.db(move |s| s.cached_nearby(lat, lon, category.as_deref())).await?.ok_or(Error::Network(why))
            }
        }
    }
}
