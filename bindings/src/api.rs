//! `PhanAnh`: the one object the apps hold. Every method is a thin wrapper
//! over the core; panics are caught and become `Internal` errors.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, RwLock};

use phananh_core::Lang;
use phananh_core::model::{PhotoId, ReportId};
use phananh_core::store::{ListQuery, PhotoSource, Store};
use phananh_core::sync::{SyncConfig, Syncer};
use time::OffsetDateTime;

use crate::convert;
use crate::error::PhanAnhError;
use crate::foreign::{ForeignListener, ForeignSecrets, SecretStore, SyncListener};
use crate::types::*;

type Result<T> = std::result::Result<T, PhanAnhError>;

/// The app's core: drafts, photos, reports and sync for one data directory
/// and one server. Store calls do disk I/O (milliseconds; call them off the
/// UI thread on slow phones); network calls are `async`.
#[derive(uniffi::Object)]
pub struct PhanAnh {
    store: Arc<Store>,
    syncer: Syncer,
    lang: Arc<RwLock<Lang>>,
    /// The sync's own runtime (two threads), so the app need not provide one.
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    handle: tokio::runtime::Handle,
}

impl Drop for PhanAnh {
    fn drop(&mut self) {
        // Never block (the last reference may go on any thread).
        if let Some(rt) = self.runtime.lock().unwrap_or_else(|p| p.into_inner()).take() {
            rt.shutdown_background();
        }
    }
}

/// Run `f`, turning a panic into `Internal` so none crosses the FFI.
pub(crate) fn guard<T>(lang: Lang, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        Err(PhanAnhError::internal(lang, &what))
    })
}

impl PhanAnh {
    fn lang(&self) -> Lang {
        *self.lang.read().unwrap_or_else(|p| p.into_inner())
    }

    fn core<T>(&self, r: phananh_core::Result<T>) -> Result<T> {
        r.map_err(|e| PhanAnhError::from_core(e, self.lang()))
    }

    fn id(&self, text: &str) -> Result<ReportId> {
        self.core(self.store.find_id(text))
    }

    fn view(&self, id: ReportId) -> Result<ReportView> {
        let report = self.core(self.store.get(id))?;
        let services = self.core(self.store.cached_services())?;
        Ok(convert::report(&self.store, services.as_ref(), &report, self.lang()))
    }

    fn attach(&self, report_id: &str, source: PhotoSource<'_>) -> Result<AttachedPhoto> {
        let id = self.id(report_id)?;
        let attached = self.core(self.store.attach_photo(id, source, &Default::default()))?;
        Ok(AttachedPhoto {
            photo: convert::photo(&self.store, &attached.photo),
            suggestion: PhotoSuggestion {
                location: attached.suggestion.position.map(|(lat, lon)| Location { lat, lon, accuracy_m: None }),
                taken_at_ms: attached.suggestion.taken_at.map(convert::ms),
            },
        })
    }

    /// Run a future on the sync runtime and wait for it from any executor
    /// (Kotlin coroutines, Swift tasks, Python asyncio). Dropping the wait
    /// cancels the work.
    async fn on_runtime<T: Send + 'static>(
        &self,
        fut: impl std::future::Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let task = AbortOnDrop(self.handle.spawn(fut));
        let lang = self.lang();
        match task.await {
            Ok(r) => r,
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
    /// Open (or create) the app's data in `config.data_dir`, for
    /// `config.server_url`. The device token lives in `secrets` (Keystore,
    /// Keychain), never in the database.
    #[uniffi::constructor]
    pub fn new(config: Config, secrets: Arc<dyn SecretStore>) -> Result<Arc<Self>> {
        let lang = convert::lang(config.language);
        guard(lang, || {
            let core = |e| PhanAnhError::from_core(e, lang);
            if config.data_dir.trim().is_empty() {
                return Err(PhanAnhError::Storage {
                    detail: lang.pick("Chưa có thư mục dữ liệu", "No data directory given").into(),
                });
            }
            let store = Arc::new(Store::open_in(std::path::Path::new(&config.data_dir)).map_err(core)?);
            let mut sync_config = SyncConfig::new(config.server_url.clone());
            sync_config.lang = lang;
            sync_config.user_agent_suffix = config.user_agent_suffix.clone();
            let syncer = Syncer::new(store.clone(), Arc::new(ForeignSecrets(secrets)), sync_config).map_err(core)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("phananh-sync")
                .enable_all()
                .build()
                .map_err(|e| PhanAnhError::internal(lang, &e.to_string()))?;
            let handle = runtime.handle().clone();
            Ok(Arc::new(PhanAnh {
                store,
                syncer,
                lang: Arc::new(RwLock::new(lang)),
                runtime: Mutex::new(Some(runtime)),
                handle,
            }))
        })
    }

    /// Switch every message and label to `language`, at once.
    pub fn set_language(&self, language: Language) {
        let l = convert::lang(language);
        *self.lang.write().unwrap_or_else(|p| p.into_inner()) = l;
        self.syncer.set_lang(l);
    }

    /// The current language.
    pub fn language(&self) -> Language {
        match self.lang() {
            Lang::Vi => Language::Vi,
            Lang::En => Language::En,
        }
    }

    /// Every label the apps show, in the current language.
    pub fn texts(&self) -> UiTexts {
        phananh_core::ui_text::UiTexts::new(self.lang()).into()
    }

    /// A position's accuracy for display ("±12 m").
    pub fn accuracy_label(&self, metres: f64) -> String {
        phananh_core::ui_text::accuracy_label(metres, self.lang())
    }

    /// Start a draft with whatever is known (autosave from the first keystroke).
    pub fn create_draft(&self, fields: DraftFields) -> Result<ReportView> {
        guard(self.lang(), || {
            let report = self.core(self.store.create_draft(&convert::patch(&fields)))?;
            self.view(report.id)
        })
    }

    /// Change fields of a draft (or of a report that needs attention).
    pub fn update_draft(&self, report_id: String, fields: DraftFields) -> Result<ReportView> {
        guard(self.lang(), || {
            let id = self.id(&report_id)?;
            self.core(self.store.update_draft(id, &convert::patch(&fields)))?;
            self.view(id)
        })
    }

    /// One report in full.
    pub fn get_report(&self, report_id: String) -> Result<ReportView> {
        guard(self.lang(), || self.view(self.id(&report_id)?))
    }

    /// "My reports": filtered, searched without accents, paged.
    pub fn list_reports(&self, filter: ListFilter) -> Result<ReportPage> {
        guard(self.lang(), || {
            let query = ListQuery {
                states: filter.states.into_iter().map(convert::state_kind).collect(),
                category: filter.category,
                search: filter.search,
                limit: filter.limit,
                offset: filter.offset,
            };
            let page = self.core(self.store.list(&query))?;
            let services = self.core(self.store.cached_services())?;
            let l = self.lang();
            Ok(ReportPage {
                items: page.items.iter().map(|s| convert::row(&self.store, services.as_ref(), s, l)).collect(),
                has_more: page.has_more,
            })
        })
    }

    /// Delete a report and its photos from this device.
    pub fn delete_report(&self, report_id: String) -> Result<()> {
        guard(self.lang(), || self.core(self.store.delete(self.id(&report_id)?)))
    }

    /// Leaving the editor: delete the draft if nobody wrote anything in it
    /// (no category, text, photo, position, address, name or phone);
    /// whether it was deleted. Disk I/O.
    pub fn discard_if_untouched(&self, report_id: String) -> Result<bool> {
        guard(self.lang(), || self.core(self.store.discard_if_untouched(self.id(&report_id)?)))
    }

    /// Compress a photo file (JPEG, PNG, WebP) and attach it; returns its
    /// size and the GPS it suggests.
    pub fn attach_photo_path(&self, report_id: String, path: String) -> Result<AttachedPhoto> {
        guard(self.lang(), || self.attach(&report_id, PhotoSource::Path(std::path::Path::new(&path))))
    }

    /// Compress a photo from its bytes (camera, gallery) and attach it.
    pub fn attach_photo_bytes(&self, report_id: String, bytes: Vec<u8>) -> Result<AttachedPhoto> {
        guard(self.lang(), || self.attach(&report_id, PhotoSource::Bytes(&bytes)))
    }

    /// Remove a photo from an editable report.
    pub fn remove_photo(&self, photo_id: String) -> Result<()> {
        guard(self.lang(), || {
            let id: PhotoId = photo_id.trim().parse().map_err(|_| PhanAnhError::NotFound {
                detail: self.lang().pick("Không tìm thấy ảnh", "No such photo").into(),
            })?;
            self.core(self.store.remove_photo(id))
        })
    }

    /// Check a draft and queue it; a running sync sends it at once.
    pub fn submit(&self, report_id: String) -> Result<ReportView> {
        guard(self.lang(), || {
            let id = self.id(&report_id)?;
            self.core(self.syncer.submit(id))?;
            self.view(id)
        })
    }

    /// Send a report that needs attention again, as it is.
    pub fn retry(&self, report_id: String) -> Result<ReportView> {
        guard(self.lang(), || {
            let id = self.id(&report_id)?;
            self.core(self.store.retry(id))?;
            self.syncer.wake();
            self.view(id)
        })
    }

    /// Reports waiting to be sent.
    pub fn outbox_count(&self) -> Result<u32> {
        guard(self.lang(), || self.core(self.store.outbox_len()))
    }

    /// What the outbox is doing, in one line in the current language, for
    /// the list's header; re-read it on every sync event.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        guard(self.lang(), || self.core(self.syncer.status()).map(Into::into))
    }

    /// The categories, from the cache (empty before the first sync).
    pub fn categories(&self) -> Result<Vec<CategoryView>> {
        guard(self.lang(), || {
            let l = self.lang();
            let services = self.core(self.store.cached_services())?;
            Ok(services
                .map(|s| {
                    s.categories
                        .iter()
                        .map(|c| CategoryView {
                            code: c.code.clone(),
                            name: l.pick(&c.name_vi, &c.name_en).to_owned(),
                            group: l.pick(&c.group_vi, &c.group_en).to_owned(),
                            photo_required: c.photo_required,
                        })
                        .collect()
                })
                .unwrap_or_default())
        })
    }

    /// The shell's word on connectivity; coming online sends at once.
    pub fn set_online(&self, online: bool) {
        let _ = guard(self.lang(), || {
            self.syncer.set_online(online);
            Ok(())
        });
    }

    /// Start the long-running sync; events go to `listener`. Stop it with
    /// the returned task's `cancel()` (dropping it stops it too).
    pub fn start_sync(&self, listener: Arc<dyn SyncListener>) -> Arc<SyncTask> {
        let foreign = Arc::new(ForeignListener { inner: listener, lang: self.lang.clone() });
        let _enter = self.handle.enter();
        let handle = self.syncer.run(foreign);
        Arc::new(SyncTask { handle: Mutex::new(Some(handle)) })
    }
}

#[uniffi::export]
impl PhanAnh {
    /// Refresh the categories (a 304 when unchanged); true if they changed.
    pub async fn refresh_categories(&self) -> Result<bool> {
        let (syncer, lang) = (self.syncer.clone(), self.lang());
        self.on_runtime(async move { syncer.refresh_categories().await.map_err(|e| PhanAnhError::from_core(e, lang)) })
            .await
    }

    /// One sync pass: send the outbox, fetch statuses and replies.
    pub async fn sync_once(&self) -> Result<SyncSummary> {
        let (syncer, lang) = (self.syncer.clone(), self.lang());
        self.on_runtime(async move {
            syncer.sync_once().await.map(|s| convert::summary(&s)).map_err(|e| PhanAnhError::from_core(e, lang))
        })
        .await
    }

    /// Open reports near a point (duplicate hints); offline, the last
    /// answer for this place.
    pub async fn nearby(&self, lat: f64, lon: f64, category: Option<String>) -> Result<NearbyReports> {
        let (syncer, lang, store) = (self.syncer.clone(), self.lang(), self.store.clone());
        self.on_runtime(async move {
            let err = |e| PhanAnhError::from_core(e, lang);
            let hints = syncer.nearby(lat, lon, category.as_deref()).await.map_err(err)?;
            let services = store.cached_services().map_err(err)?;
            let now = OffsetDateTime::now_utc();
            Ok(NearbyReports {
                reports: hints
                    .reports
                    .iter()
                    .map(|r| NearbyReport {
                        tracking_code: r.tracking_code.clone(),
                        category_name: phananh_core::format::category_name(services.as_ref(), &r.category, lang),
                        status_label: convert::status_code_label(&r.status, lang),
                        distance_m: r.distance_m,
                        distance_label: phananh_core::ui_text::distance_label(r.distance_m, lang),
                        age_label: phananh_core::format::relative_time(
                            now - time::Duration::days(i64::from(r.age_days)),
                            now,
                            lang,
                        ),
                        thumbnail_url: r.thumbnail_url.clone(),
                    })
                    .collect(),
                from_cache: hints.from_cache,
                fetched_relative: phananh_core::format::relative_time(hints.fetched_at, now, lang),
            })
        })
        .await
    }
}

/// A running sync started by [`PhanAnh::start_sync`].
#[derive(uniffi::Object)]
pub struct SyncTask {
    handle: Mutex<Option<phananh_core::sync::SyncHandle>>,
}

#[uniffi::export]
impl SyncTask {
    /// Stop the sync now. Work in flight is abandoned and resumes at the next start.
    pub fn cancel(&self) {
        if let Some(h) = self.handle.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            h.cancel();
        }
    }

    /// Whether the sync has stopped.
    pub fn is_stopped(&self) -> bool {
        self.handle.lock().unwrap_or_else(|p| p.into_inner()).as_ref().is_none_or(|h| h.is_finished())
    }
}
