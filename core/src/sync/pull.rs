//! Pulling what the district did: the changes feed (statuses and official
//! replies) and the category list.

use super::http::Failure;
use super::push::status_entry;
use super::{SyncEvent, Syncer};
use crate::error::Result;
use crate::model::ReportId;
use crate::store::{FollowedUpdate, StatusUpdate};

/// Changes asked for per page.
const PAGE: u32 = 100;

impl Syncer {
    /// Refresh the cached category list (a `304` when unchanged). Returns
    /// whether it changed.
    pub async fn refresh_categories(&self) -> Result<bool> {
        self.refresh_services().await.map_err(Failure::into_error)
    }

    pub(crate) async fn refresh_services(&self) -> Result<bool, Failure> {
        let etag = self.db(|s| s.services_etag()).await?;
        match self.inner.api.services(etag.as_deref(), self.lang()).await? {
            None => Ok(false),
            Some((services, tag)) => {
                self.db(move |s| s.save_services(&services, tag.as_deref())).await?;
                Ok(true)
            }
        }
    }

    /// Pull every page of status changes since the stored cursor. Each page
    /// and its cursor are stored in one transaction. Returns how many
    /// changes were new.
    pub(crate) async fn pull_changes(&self) -> Result<u32, Failure> {
        if !self.has_token()? {
            // Never registered: nothing of ours on the server yet.
            return Ok(0);
        }
        let mut new = 0;
        loop {
            let cursor = self.db(|s| s.changes_cursor()).await?;
            let (api, lang) = (self.inner.api.clone(), self.lang());
            let page = self
                .authed(|token| {
                    let (api, cursor) = (api.clone(), cursor.clone());
                    async move { api.changes(&token, cursor.as_deref(), PAGE, lang).await }
                })
                .await?;
            // A followed report's change carries its tracking code alone.
            let (followed, own): (Vec<_>, Vec<_>) = page.changes.iter().partition(|c| c.followed);
            let updates: Vec<StatusUpdate> = own
                .iter()
                .filter_map(|c| {
                    let report: ReportId = c.client_id.parse().ok()?;
                    Some(StatusUpdate { report, entry: status_entry(c)? })
                })
                .collect();
            let followed: Vec<FollowedUpdate> = followed
                .iter()
                .filter_map(|c| {
                    Some(FollowedUpdate { tracking_code: c.tracking_code.clone(), entry: status_entry(c)? })
                })
                .collect();
            let next = page.next_cursor.clone();
            let changed = self.db(move |s| s.apply_changes(&updates, &followed, &next)).await?;
            new += changed.len() as u32;
            for (id, status) in changed {
                self.emit(SyncEvent::StatusChanged { id, status });
            }
            if !page.has_more || page.next_cursor.is_empty() || Some(&page.next_cursor) == cursor.as_ref() {
                return Ok(new);
            }
        }
    }
}
