//! The one line an app shows about its outbox ("Sending… 40%", "Offline —
//! will send when you are online (2)", "All sent"), decided here from the
//! sync's own events so the Android and iOS apps do not each decide it.

use crate::Lang;
use crate::model::PhotoId;
use crate::sync::SyncEvent;
use crate::ui_text::UiTexts;

/// What the outbox is doing, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncStatus {
    /// The line to show, in the current language.
    pub text: String,
    /// A pass is sending right now (show a spinner).
    pub busy: bool,
    /// The shell said offline, or the last pass could not reach the server.
    pub offline: bool,
    /// Reports waiting to be sent.
    pub waiting: u32,
}

/// Follows the events of the sync passes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Activity {
    sending: bool,
    /// Each photo on its way in this pass: (sent, total). Several go at
    /// once; the line shows them together.
    progress: std::collections::BTreeMap<PhotoId, (u64, u64)>,
    unreachable: bool,
    offline: bool,
}

impl Activity {
    pub(crate) fn on(&mut self, event: &SyncEvent) {
        match event {
            SyncEvent::ReportSending { .. } => self.sending = true,
            SyncEvent::PhotoProgress { photo, sent, total, .. } => {
                self.sending = true;
                self.progress.insert(*photo, ((*sent).min(*total), *total));
            }
            SyncEvent::PassFinished(summary) => {
                self.sending = false;
                self.progress.clear();
                self.unreachable = summary.offline;
            }
            _ => {}
        }
    }

    pub(crate) fn set_online(&mut self, online: bool) {
        self.offline = !online;
        if online {
            self.unreachable = false;
        }
    }

    pub(crate) fn status(&self, waiting: u32, lang: Lang) -> SyncStatus {
        let t = UiTexts::new(lang);
        let offline = self.offline || self.unreachable;
        let (sent, total) = self.progress.values().fold((0, 0), |(s, t), (ps, pt)| (s + ps, t + pt));
        let text = if self.sending {
            match (sent * 100).checked_div(total) {
                Some(percent) => format!("{} {percent}%", t.sync_sending),
                None => t.sync_sending.to_owned(),
            }
        } else if waiting > 0 && offline {
            format!("{} ({waiting})", t.sync_offline)
        } else if waiting > 0 {
            format!("{} ({waiting})", t.sync_waiting)
        } else {
            t.sync_done.to_owned()
        };
        SyncStatus { text, busy: self.sending, offline, waiting }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReportId;
    use crate::sync::SyncSummary;

    #[test]
    fn follows_a_pass_from_sending_to_done_or_offline() {
        let mut a = Activity::default();
        assert_eq!(a.status(0, Lang::En).text, "All sent");
        assert_eq!(a.status(2, Lang::En).text, "Waiting to send (2)");
        let (report, photo) = (ReportId::new(), PhotoId::new());
        a.on(&SyncEvent::ReportSending { id: report });
        a.on(&SyncEvent::PhotoProgress { report, photo, sent: 50, total: 200 });
        let s = a.status(2, Lang::Vi);
        assert!(s.busy);
        assert_eq!(s.text, "Đang gửi… 25%");
        a.on(&SyncEvent::PassFinished(SyncSummary { offline: true, waiting: 2, ..Default::default() }));
        let s = a.status(2, Lang::En);
        assert!(!s.busy && s.offline);
        assert_eq!(s.text, "Offline — will send when you are online (2)");
        // The network is back: waiting, no longer offline.
        a.set_online(true);
        assert_eq!(a.status(2, Lang::En).text, "Waiting to send (2)");
        a.set_online(false);
        assert!(a.status(0, Lang::En).offline);
        // A server that reports more than it was asked for does not make 120 %.
        a.on(&SyncEvent::PhotoProgress { report, photo, sent: 300, total: 200 });
        assert_eq!(a.status(1, Lang::En).text, "Sending… 100%");
        // Two photos on their way at once: one line for both.
        let other = PhotoId::new();
        a.on(&SyncEvent::PhotoProgress { report, photo: other, sent: 0, total: 200 });
        assert_eq!(a.status(1, Lang::En).text, "Sending… 50%");
        a.on(&SyncEvent::PhotoProgress { report, photo: other, sent: 100, total: 200 });
        assert_eq!(a.status(1, Lang::En).text, "Sending… 75%");
    }
}
