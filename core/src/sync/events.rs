//! What the sync tells the UI (and the CLI's progress bars) as it goes.

use time::OffsetDateTime;

use crate::model::{PhotoId, ReportId, Status};

/// One thing that happened during sync.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// A report entered the outbox.
    ReportQueued {
        /// The report.
        id: ReportId,
    },
    /// A report is being sent now.
    ReportSending {
        /// The report.
        id: ReportId,
    },
    /// Bytes of one photo the server has confirmed.
    PhotoProgress {
        /// The report.
        report: ReportId,
        /// The photo.
        photo: PhotoId,
        /// Bytes the server has.
        sent: u64,
        /// The photo's size.
        total: u64,
    },
    /// The server has the report and all its photos.
    ReportSent {
        /// The report.
        id: ReportId,
        /// Its tracking code.
        tracking_code: String,
    },
    /// A temporary failure; the report will be tried again.
    ReportRetrying {
        /// The report.
        id: ReportId,
        /// Failed attempts so far.
        attempts: u32,
        /// When it will be tried again.
        at: OffsetDateTime,
        /// What went wrong (no personal data).
        why: String,
    },
    /// The server refused the report; the user must act.
    ReportNeedsAttention {
        /// The report.
        id: ReportId,
        /// The server's message in the user's language.
        reason: String,
    },
    /// The district changed a report's status or replied.
    StatusChanged {
        /// The report.
        id: ReportId,
        /// Its status now.
        status: Status,
    },
    /// A pass ended.
    PassFinished(SyncSummary),
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncSummary {
    /// Reports that reached the server with all their photos.
    pub sent: u32,
    /// Photos that finished uploading.
    pub photos_sent: u32,
    /// Reports the server refused, now waiting for the user.
    pub needs_attention: u32,
    /// Reports that failed for now and will be tried again.
    pub retrying: u32,
    /// Reports still in the outbox after the pass.
    pub waiting: u32,
    /// Status changes or replies received.
    pub changes: u32,
    /// Follows of other people's reports that reached the server.
    pub follows_sent: u32,
    /// The server could not be reached (or the shell said we are offline).
    pub offline: bool,
    /// When the next report is due (ms since the epoch), if any wait.
    pub next_attempt_at_ms: Option<i64>,
}

/// Receives [`SyncEvent`]s. Called from the sync's own tasks: return quickly.
pub trait SyncListener: Send + Sync {
    /// One event.
    fn on_event(&self, event: SyncEvent);
}

/// A listener that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoListener;

impl SyncListener for NoListener {
    fn on_event(&self, _event: SyncEvent) {}
}
