//! `PhanAnh`: the object the apps hold. Every method is one line over the
//! core's [`App`]; `guard` turns a panic into `Internal` and the core's
//! error into [`PhanAnhError`] in the language of the moment.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use phananh_core::app::*;
use phananh_core::notify::NotificationView;
use phananh_core::store::PhotoSource;
use phananh_core::sync::{SyncStatus, SyncSummary};
use phananh_core::ui_text::UiTexts;
use phananh_core::{App, Lang, Score};

use crate::error::PhanAnhError;
use crate::foreign::{ForeignListener, ForeignSecrets, SecretStore, SyncListener};

type Result<T> = std::result::Result<T, PhanAnhError>;

/// The app's core: drafts, photos, reports, settings and sync for one data
/// directory. Store calls do disk I/O (milliseconds; call them off the UI
/// thread on slow phones); network calls are `async`.
#[derive(uniffi::Object)]
pub struct PhanAnh {
    app: Arc<App>,
    /// The sync's own runtime (two threads), so the app need not provide one.
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    handle: tokio::runtime::Handle,
}

impl Drop for PhanAnh {
    fn drop(&mut self) {
        self.app.stop_sync();
        // Never block (the last reference may go on any thread).
        if let Some(rt) = self.runtime.lock().unwrap_or_else(|p| p.into_inner()).take() {
            rt.shutdown_background();
        }
    }
}

/// Run `f`, turning a panic into `Internal` and the core's error into ours,
/// so neither a panic nor a bare core error crosses the FFI.
pub(crate) fn guard<T>(lang: Lang, f: impl FnOnce() -> phananh_core::Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(|e| PhanAnhError::from_core(e, lang)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            Err(PhanAnhError::internal(lang, &what))
        }
    }
}

impl PhanAnh {
    fn call<T>(&self, f: impl FnOnce(&App) -> phananh_core::Result<T>) -> Result<T> {
        guard(self.app.language(), || f(&self.app))
    }

    /// Run `f` on the sync runtime and wait for it from any executor
    /// (Kotlin coroutines, Swift tasks, Python asyncio). Dropping the wait
    /// cancels the work.
    async fn on_runtime<T, F>(&self, f: impl FnOnce(Arc<App>) -> F) -> Result<T>
    where
        T: Send + 'static,
        F: std::future::Future<Output = phananh_core::Result<T>> + Send + 'static,
    {
        let lang = self.app.language();
        let task = AbortOnDrop(self.handle.spawn(f(self.app.clone())));
        match task.await {
            Ok(r) => r.map_err(|e| PhanAnhError::from_core(e, lang)),
            Err(e) if e.is_panic() => Err(PhanAnhError::internal(lang, "panic in a sync task")),
            Err(_) => Err(PhanAnhError::internal(lang, "cancelled")),
        }
    }
}

struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> std::future::Future for AbortOnDrop<T> {
    type Output = std::result::Result<T, tokio::task::JoinError>;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx)
    }
}

#[uniffi::export]
impl PhanAnh {
    /// Open (or create) the app's data in `config.data_dir`. Settings
    /// (language, server, volunteer mode) are the core's, kept there; the
    /// device token lives in `secrets` (Keystore, Keychain).
    #[uniffi::constructor]
    pub fn new(config: AppConfig, secrets: Arc<dyn SecretStore>) -> Result<Arc<Self>> {
        let lang = config.device_locale.as_deref().map(phananh_core::ui_text::language_for_locale).unwrap_or_default();
        guard(lang, || {
            let app = Arc::new(App::open(config, Arc::new(ForeignSecrets(secrets)))?);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("phananh-sync")
                .enable_all()
                .build()
                .map_err(|e| phananh_core::Error::Config(format!("cannot start the sync runtime: {e}")))?;
            let handle = runtime.handle().clone();
            Ok(Arc::new(PhanAnh { app, runtime: Mutex::new(Some(runtime)), handle }))
        })
    }

    /// The settings now.
    pub fn settings(&self) -> Settings {
        self.app.settings()
    }

    /// Check and keep settings; the server address as the core writes it,
    /// or `Validation` (field `server_url`) and nothing kept.
    pub fn save_settings(&self, settings: Settings) -> Result<Settings> {
        self.call(|a| a.save_settings(settings))
    }

    /// Switch every message and label to `language`, at once, and keep it.
    pub fn set_language(&self, language: Lang) -> Result<()> {
        self.call(|a| a.set_language(language))
    }

    /// The current language.
    pub fn language(&self) -> Lang {
        self.app.language()
    }

    /// Every label the apps show, in the current language.
    pub fn texts(&self) -> UiTexts {
        self.app.texts()
    }

    /// A position's accuracy for display ("±12 m").
    pub fn accuracy_label(&self, metres: f64) -> String {
        self.app.accuracy_label(metres)
    }

    /// Start a draft with whatever is known (autosave from the first keystroke).
    pub fn create_draft(&self, fields: DraftFields) -> Result<ReportView> {
        self.call(|a| a.create_draft(&fields))
    }

    /// Change fields of a draft (or of a report that needs attention).
    pub fn update_draft(&self, report_id: String, fields: DraftFields) -> Result<ReportView> {
        self.call(|a| a.update_draft(&report_id, &fields))
    }

    /// One report in full.
    pub fn get_report(&self, report_id: String) -> Result<ReportView> {
        self.call(|a| a.get_report(&report_id))
    }

    /// "My reports": filtered, searched without accents, paged.
    pub fn list_reports(&self, filter: ListFilter) -> Result<ReportPage> {
        self.call(|a| a.list_reports(&filter))
    }

    /// Delete a report and its photos from this device.
    pub fn delete_report(&self, report_id: String) -> Result<()> {
        self.call(|a| a.delete_report(&report_id))
    }

    /// Leaving the editor: delete the draft if nobody wrote anything in it;
    /// whether it was deleted.
    pub fn discard_if_untouched(&self, report_id: String) -> Result<bool> {
        self.call(|a| a.discard_if_untouched(&report_id))
    }

    /// Compress a photo file (JPEG, PNG, WebP) and attach it.
    pub fn attach_photo_path(&self, report_id: String, path: String) -> Result<AttachedPhoto> {
        self.call(|a| a.attach_photo(&report_id, PhotoSource::Path(std::path::Path::new(&path))))
    }

    /// Compress a photo from its bytes (camera, gallery) and attach it.
    pub fn attach_photo_bytes(&self, report_id: String, bytes: Vec<u8>) -> Result<AttachedPhoto> {
        self.call(|a| a.attach_photo(&report_id, PhotoSource::Bytes(&bytes)))
    }

    /// Remove a photo from an editable report.
    pub fn remove_photo(&self, photo_id: String) -> Result<()> {
        self.call(|a| a.remove_photo(&photo_id))
    }

    /// Check a draft and queue it; a running sync sends it at once.
    pub fn submit(&self, report_id: String) -> Result<ReportView> {
        self.call(|a| a.submit(&report_id))
    }

    /// Send a report that needs attention again, as it is.
    pub fn retry(&self, report_id: String) -> Result<ReportView> {
        self.call(|a| a.retry(&report_id))
    }

    /// Rate the district's answer (once; a volunteer may rate for the
    /// neighbour); sent with the next sync.
    pub fn rate(
        &self,
        report_id: String,
        score: Score,
        comment: Option<String>,
        on_behalf: bool,
    ) -> Result<ReportView> {
        self.call(|a| a.rate(&report_id, score, comment.as_deref(), on_behalf))
    }

    /// "Not fixed" (or contest a rejection) with why and new photos' paths.
    pub fn reopen(&self, report_id: String, reason: String, photo_paths: Vec<String>) -> Result<ReportView> {
        let paths: Vec<PhotoSource<'_>> =
            photo_paths.iter().map(|p| PhotoSource::Path(std::path::Path::new(p))).collect();
        self.call(|a| a.reopen(&report_id, &reason, &paths))
    }

    /// Follow a report by its tracking code ("Quan tâm"), maybe "I see it
    /// too" with photos' paths (staff alone see them).
    pub fn follow(&self, tracking_code: String, me_too: bool, photo_paths: Vec<String>) -> Result<FollowedView> {
        let paths: Vec<PhotoSource<'_>> =
            photo_paths.iter().map(|p| PhotoSource::Path(std::path::Path::new(p))).collect();
        self.call(|a| a.follow(&tracking_code, me_too, &paths))
    }

    /// Stop following a report.
    pub fn unfollow(&self, tracking_code: String) -> Result<()> {
        self.call(|a| a.unfollow(&tracking_code))
    }

    /// The reports this device follows, with status and replies.
    pub fn following(&self) -> Result<Vec<FollowedView>> {
        self.call(|a| a.following())
    }

    /// The notifications the last syncs decided on, each once: show them.
    pub fn take_notifications(&self) -> Result<Vec<NotificationView>> {
        self.call(|a| a.take_notifications())
    }

    /// Reports waiting to be sent.
    pub fn outbox_count(&self) -> Result<u32> {
        self.call(|a| a.outbox_count())
    }

    /// What the outbox is doing, in one line, for the list's header.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.call(|a| a.sync_status())
    }

    /// "Tháng này đã dùng 12,3 MB dữ liệu", for the settings screen.
    pub fn data_used_this_month(&self) -> Result<String> {
        self.call(|a| a.data_used_this_month())
    }

    /// The categories, from the cache (empty before the first sync).
    pub fn categories(&self) -> Result<Vec<CategoryView>> {
        self.call(|a| a.categories())
    }

    /// The shell's word on connectivity; coming online sends at once.
    pub fn set_online(&self, online: bool) {
        self.app.set_online(online)
    }

    /// Start the long-running sync; events go to `listener`. Stop it with
    /// the returned task's `cancel()`. It follows a change of server.
    pub fn start_sync(&self, listener: Arc<dyn SyncListener>) -> Arc<SyncTask> {
        self.app.start_sync(Arc::new(ForeignListener(listener)), self.handle.clone());
        Arc::new(SyncTask { app: self.app.clone() })
    }

    /// Refresh the categories (a 304 when unchanged); true if they changed.
    pub async fn refresh_categories(&self) -> Result<bool> {
        self.on_runtime(|a| async move { a.refresh_categories().await }).await
    }

    /// One sync pass: send the outbox, fetch statuses and replies.
    pub async fn sync_once(&self) -> Result<SyncSummary> {
        self.on_runtime(|a| async move { a.sync_once().await }).await
    }

    /// Open reports near a point (duplicate hints); offline, the last
    /// answer for this place.
    pub async fn nearby(&self, lat: f64, lon: f64, category: Option<String>) -> Result<NearbyReports> {
        self.on_runtime(|a| async move { a.nearby(lat, lon, category.as_deref()).await }).await
    }
}

/// A running sync started by [`PhanAnh::start_sync`].
#[derive(uniffi::Object)]
pub struct SyncTask {
    app: Arc<App>,
}

#[uniffi::export]
impl SyncTask {
    /// Stop the sync now. Work in flight is abandoned and resumes at the next start.
    pub fn cancel(&self) {
        self.app.stop_sync()
    }

    /// Whether the sync has stopped.
    pub fn is_stopped(&self) -> bool {
        !self.app.is_syncing()
    }
}
