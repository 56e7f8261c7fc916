//! The use-case layer: one [`App`] that owns the store, the sync engine and
//! the settings, offers every use case the phone shells and the CLI need,
//! and answers with [`views`] whose labels, sizes and times are
//! already written in the chosen language.
//!
//! The FFI (`phananh-ffi`) is one-liners over `App`; the CLI prints the
//! same views. Nothing here knows of uniffi unless the `uniffi` feature is
//! on, which only derives the FFI traits on the views.

#[cfg(feature = "uniffi")]
mod ffi_types;
mod present;
mod settings;
pub mod views;

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

pub use present::size_label;
pub use views::*;

use crate::error::{Error, Result};
use crate::model::{PhotoId, ReportId};
use crate::notify::NotificationView;
use crate::photo;
use crate::protocol::Score;
use crate::store::{ListQuery, PhotoSource};
use crate::sync::{SecretStore, SyncConfig, SyncHandle, SyncListener, SyncStatus, SyncSummary, Syncer};
use crate::ui_text::UiTexts;
use crate::{Lang, Store};
use present::Ctx;

/// The app: drafts, photos, reports, settings and sync for one data
/// directory. Store calls do disk I/O (milliseconds; call them off the UI
/// thread on slow phones); network calls are `async` and need a tokio
/// runtime.
pub struct App {
    store: Arc<Store>,
    secrets: Arc<dyn SecretStore>,
    config: AppConfig,
    settings: Arc<RwLock<Settings>>,
    /// `None` until a server is known (the CLI before its first `--server`).
    syncer: RwLock<Option<Syncer>>,
    /// The running sync loop, restarted on a new server.
    live: Mutex<Option<Live>>,
}

struct Live {
    handle: SyncHandle,
    listener: Arc<dyn AppListener>,
    runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("data", &self.store.path()).finish_non_exhaustive()
    }
}

/// Hands the sync's events to an [`AppListener`] as views, in the language
/// of the moment.
struct Relay {
    inner: Arc<dyn AppListener>,
    settings: Arc<RwLock<Settings>>,
}

impl App {
    /// Open (or create) the app's data in `config.data_dir`. The device
    /// token lives in `secrets` (Keystore, Keychain, a 0600 file), never in
    /// the database.
    pub fn open(config: AppConfig, secrets: Arc<dyn SecretStore>) -> Result<App> {
        let lang = config.device_locale.as_deref().map(crate::ui_text::language_for_locale).unwrap_or_default();
        if config.data_dir.trim().is_empty() {
            let why = lang.pick("chưa có thư mục dữ liệu", "no data directory given");
            return Err(Error::Io {
                context: "opening the app's data",
                path: Default::default(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, why),
            });
        }
        let store = Store::open_in(Path::new(&config.data_dir))?;
        App::with_store(store, config, secrets)
    }

    /// [`App::open`] on a store already open (tests give it a manual clock).
    pub fn with_store(store: Store, config: AppConfig, secrets: Arc<dyn SecretStore>) -> Result<App> {
        let store = Arc::new(store);
        let settings = settings::load(&store, &config)?;
        let syncer = match settings.server_url.is_empty() {
            true => None,
            false => Some(new_syncer(&store, &secrets, &config, &settings)?),
        };
        Ok(App {
            store,
            secrets,
            config,
            settings: Arc::new(RwLock::new(settings)),
            syncer: RwLock::new(syncer),
            live: Mutex::new(None),
        })
    }

    /// The id of the report whose id is or starts with `text`.
    pub fn report_id(&self, text: &str) -> Result<ReportId> {
        self.store.find_id(text)
    }

    /// The store underneath (the CLI's `--json` prints its records as they are).
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    // ----- settings -------------------------------------------------------

    /// The settings now.
    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The language now.
    pub fn language(&self) -> Lang {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).language
    }

    /// Check and keep `wanted`: the server address is normalised (blank:
    /// the default), the language switches at once, a new server gets a
    /// new sync engine (a running sync moves to it; drafts stay). A server
    /// address that is not one is a `Config` error and nothing is kept.
    pub fn save_settings(&self, wanted: Settings) -> Result<Settings> {
        let next = settings::check(wanted, &self.config)?;
        let before = self.settings();
        settings::save(&self.store, &next)?;
        if next.server_url != before.server_url {
            let syncer = new_syncer(&self.store, &self.secrets, &self.config, &next)?;
            *self.syncer.write().unwrap_or_else(|p| p.into_inner()) = Some(syncer);
        }
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = next.clone();
        if let Some(s) = self.syncer() {
            s.set_lang(next.language);
        }
        if next.server_url != before.server_url {
            self.restart_live();
        }
        Ok(next)
    }

    /// Switch every message and label to `language`, and keep it.
    pub fn set_language(&self, language: Lang) -> Result<()> {
        self.save_settings(Settings { language, ..self.settings() }).map(|_| ())
    }

    /// Every label the apps show, in the current language.
    pub fn texts(&self) -> UiTexts {
        UiTexts::new(self.language())
    }

    /// A position's accuracy for display ("±12 m").
    pub fn accuracy_label(&self, metres: f64) -> String {
        crate::ui_text::accuracy_label(metres, self.language())
    }

    // ----- drafts and reports ----------------------------------------------

    /// Start a draft with whatever is known (autosave from the first keystroke).
    pub fn create_draft(&self, fields: &DraftFields) -> Result<ReportView> {
        let report = self.store.create_draft(&present::patch(fields))?;
        self.view(report.id)
    }

    /// Change fields of a draft (or of a report that needs attention).
    pub fn update_draft(&self, report_id: &str, fields: &DraftFields) -> Result<ReportView> {
        let id = self.find(report_id)?;
        self.store.update_draft(id, &present::patch(fields))?;
        self.view(id)
    }

    /// One report in full.
    pub fn get_report(&self, report_id: &str) -> Result<ReportView> {
        self.view(self.find(report_id)?)
    }

    /// "My reports": filtered, searched without accents, paged.
    pub fn list_reports(&self, filter: &ListFilter) -> Result<ReportPage> {
        let page = self.store.list(&ListQuery {
            states: filter.states.clone(),
            category: filter.category.clone(),
            search: filter.search.clone(),
            limit: filter.limit,
            offset: filter.offset,
        })?;
        self.with_ctx(|c| ReportPage { items: page.items.iter().map(|s| c.row(s)).collect(), has_more: page.has_more })
    }

    /// Delete a report and its photos from this device.
    pub fn delete_report(&self, report_id: &str) -> Result<()> {
        self.store.delete(self.find(report_id)?)
    }

    /// Leaving the editor: delete the draft if nobody wrote anything in it
    /// (no category, text, photo, position, address, name or phone);
    /// whether it was deleted.
    pub fn discard_if_untouched(&self, report_id: &str) -> Result<bool> {
        self.store.discard_if_untouched(self.find(report_id)?)
    }

    /// Compress a photo (a file's path or its bytes: JPEG, PNG, WebP) and
    /// attach it; its size and the GPS it suggests.
    pub fn attach_photo(&self, report_id: &str, source: PhotoSource<'_>) -> Result<AttachedPhoto> {
        let attached = self.store.attach_photo(self.find(report_id)?, source, &photo::Options::default())?;
        self.with_ctx(|c| c.attached(&attached))
    }

    /// Remove a photo from an editable report.
    pub fn remove_photo(&self, photo_id: &str) -> Result<()> {
        let id: PhotoId = photo_id.trim().parse().map_err(|_| Error::PhotoNotFound(photo_id.to_owned()))?;
        self.store.remove_photo(id)
    }

    /// Check a draft and queue it; a running sync sends it at once.
    pub fn submit(&self, report_id: &str) -> Result<ReportView> {
        let id = self.find(report_id)?;
        match self.syncer() {
            Some(s) => s.submit(id)?,
            None => self.store.submit(id)?,
        };
        self.view(id)
    }

    /// Send a report that needs attention again, as it is; a running sync
    /// sends it at once.
    pub fn retry(&self, report_id: &str) -> Result<ReportView> {
        let id = self.find(report_id)?;
        self.store.retry(id)?;
        if let Some(s) = self.syncer() {
            s.wake();
        }
        self.view(id)
    }

    // ----- the resident's word after the answer ------------------------------

    /// Rate the district's answer to a resolved or rejected report, once
    /// (a volunteer may rate for the neighbour they filed for). Queued; the
    /// report's next pass sends it.
    pub fn rate(&self, report_id: &str, score: Score, comment: Option<&str>, on_behalf: bool) -> Result<ReportView> {
        let id = self.find(report_id)?;
        self.store.queue_rating(id, score, comment, on_behalf)?;
        self.wake();
        self.view(id)
    }

    /// "Not fixed" (or, for a rejection, "please review"), with why and new
    /// photos (compressed like any other); within the district's window.
    pub fn reopen(&self, report_id: &str, reason: &str, photos: &[PhotoSource<'_>]) -> Result<ReportView> {
        let id = self.find(report_id)?;
        // Checked before any photo is compressed: a refusal costs nothing.
        self.store.check_reopen(id, reason)?;
        let options = photo::Options::default();
        let prepared = photos.iter().map(|p| self.store.prepare_photo(*p, &options)).collect::<Result<Vec<_>>>()?;
        self.store.queue_reopen(id, reason, &prepared)?;
        self.wake();
        self.view(id)
    }

    /// Follow someone else's report by its tracking code ("Quan tâm"; with
    /// `me_too`, "I see it too", optionally with photos of it, which only
    /// the district's staff see). Queued; the next sync sends it.
    pub fn follow(&self, tracking_code: &str, me_too: bool, photos: &[PhotoSource<'_>]) -> Result<FollowedView> {
        crate::store::normalize_code(tracking_code)?;
        let options = photo::Options::default();
        let prepared = photos.iter().map(|p| self.store.prepare_photo(*p, &options)).collect::<Result<Vec<_>>>()?;
        let code = self.store.follow(tracking_code, me_too, &prepared)?;
        self.wake();
        let followed = self.store.following()?;
        let f = followed.iter().find(|f| f.tracking_code == code).ok_or_else(|| Error::UnknownId(code.clone()))?;
        self.with_ctx(|c| c.followed(f))
    }

    /// Stop following a report.
    pub fn unfollow(&self, tracking_code: &str) -> Result<()> {
        self.store.unfollow(tracking_code)
    }

    /// The reports this device follows, with their status and replies.
    pub fn following(&self) -> Result<Vec<FollowedView>> {
        let followed = self.store.following()?;
        self.with_ctx(|c| followed.iter().map(|f| c.followed(f)).collect())
    }

    /// The notifications the last syncs decided on, each once, in the
    /// user's language; the shell shows them (after a background sync).
    pub fn take_notifications(&self) -> Result<Vec<NotificationView>> {
        let lang = self.language();
        Ok(self.store.take_notifications()?.iter().map(|p| crate::notify::render(p, lang)).collect())
    }

    fn wake(&self) {
        if let Some(s) = self.syncer() {
            s.wake();
        }
    }

    /// Reports waiting to be sent.
    pub fn outbox_count(&self) -> Result<u32> {
        self.store.outbox_len()
    }

    /// The categories, from the cache (empty before the first sync).
    pub fn categories(&self) -> Result<Vec<CategoryView>> {
        self.with_ctx(|c| c.categories())
    }

    // ----- sync ---------------------------------------------------------------

    /// What the outbox is doing, in one line in the current language, for
    /// the list's header; re-read it on every sync event.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        match self.syncer() {
            Some(s) => s.status(),
            None => Ok(SyncStatus {
                text: self.texts().sync_offline.to_owned(),
                busy: false,
                offline: true,
                waiting: self.store.outbox_len()?,
            }),
        }
    }

    /// "Tháng này đã dùng 12,3 MB dữ liệu": what the app's requests used
    /// this month (Vietnam time), for the settings screen.
    pub fn data_used_this_month(&self) -> Result<String> {
        let bytes = self.store.data_used_in(&self.store.this_month())?;
        Ok(present::data_used_month_label(bytes, self.language()))
    }

    /// The shell's word on connectivity; coming online sends at once.
    pub fn set_online(&self, online: bool) {
        if let Some(s) = self.syncer() {
            s.set_online(online);
        }
    }

    /// Refresh the categories (a 304 when unchanged); whether they changed.
    pub async fn refresh_categories(&self) -> Result<bool> {
        self.need_syncer()?.refresh_categories().await
    }

    /// One sync pass: send the outbox, fetch statuses and replies.
    pub async fn sync_once(&self) -> Result<SyncSummary> {
        self.need_syncer()?.sync_once().await
    }

    /// One sync pass whose events go to `listener` as views (the CLI's
    /// progress bars).
    pub async fn sync_once_with(&self, listener: Arc<dyn AppListener>) -> Result<SyncSummary> {
        let syncer = self.need_syncer()?;
        syncer.set_listener(Arc::new(Relay { inner: listener, settings: self.settings.clone() }));
        syncer.sync_once().await
    }

    /// Open reports near a point (duplicate hints); offline, the last
    /// answer for this place.
    pub async fn nearby(&self, lat: f64, lon: f64, category: Option<&str>) -> Result<NearbyReports> {
        let hints = self.need_syncer()?.nearby(lat, lon, category).await?;
        self.with_ctx(|c| c.nearby(&hints))
    }

    /// Start the long-running sync on `runtime`; events go to `listener` as
    /// views. A second start replaces the first. It follows a change of
    /// server by itself.
    pub fn start_sync(&self, listener: Arc<dyn AppListener>, runtime: tokio::runtime::Handle) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        *live = self.spawn_live(listener, runtime);
    }

    /// Stop the running sync, if any; work in flight resumes at the next start.
    pub fn stop_sync(&self) {
        if let Some(live) = self.live.lock().unwrap_or_else(|p| p.into_inner()).take() {
            live.handle.cancel();
        }
    }

    /// Whether a sync loop is running.
    pub fn is_syncing(&self) -> bool {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).as_ref().is_some_and(|l| !l.handle.is_finished())
    }

    // ----- helpers ------------------------------------------------------------

    fn syncer(&self) -> Option<Syncer> {
        self.syncer.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn need_syncer(&self) -> Result<Syncer> {
        self.syncer().ok_or_else(|| {
            Error::Config(
                self.language()
                    .pick(
                        "chưa có máy chủ: hãy nhập địa chỉ máy chủ (ví dụ http://127.0.0.1:8080)",
                        "no server yet: give the server's address (e.g. http://127.0.0.1:8080)",
                    )
                    .into(),
            )
        })
    }

    fn find(&self, text: &str) -> Result<ReportId> {
        self.report_id(text)
    }

    fn with_ctx<T>(&self, f: impl FnOnce(&Ctx<'_>) -> T) -> Result<T> {
        let services = self.store.cached_services()?;
        Ok(f(&Ctx { lang: self.language(), services: services.as_ref(), store: &self.store, now: self.store.now() }))
    }

    fn view(&self, id: ReportId) -> Result<ReportView> {
        let report = self.store.get(id)?;
        self.with_ctx(|c| c.report(&report))
    }

    /// Start `listener`'s loop on the current server, if there is one.
    fn spawn_live(&self, listener: Arc<dyn AppListener>, runtime: tokio::runtime::Handle) -> Option<Live> {
        let syncer = self.syncer()?;
        let relay = Arc::new(Relay { inner: listener.clone(), settings: self.settings.clone() });
        let handle = {
            let _enter = runtime.enter();
            syncer.run(relay)
        };
        Some(Live { handle, listener, runtime })
    }

    /// A new server: the running loop stops and one starts on the new engine.
    fn restart_live(&self) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = live.take() {
            old.handle.cancel();
            *live = self.spawn_live(old.listener, old.runtime);
        }
    }
}

impl SyncListener for Relay {
    fn on_event(&self, event: crate::sync::SyncEvent) {
        let lang = self.settings.read().unwrap_or_else(|p| p.into_inner()).language;
        // A listener that panics must not take the sync down with it.
        let _ =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.inner.on_event(present::event(event, lang))));
    }
}

fn new_syncer(
    store: &Arc<Store>,
    secrets: &Arc<dyn SecretStore>,
    config: &AppConfig,
    settings: &Settings,
) -> Result<Syncer> {
    let mut sync_config = SyncConfig::new(settings.server_url.clone());
    sync_config.lang = settings.language;
    sync_config.user_agent_suffix = config.user_agent_suffix.clone();
    Syncer::new(store.clone(), secrets.clone(), sync_config)
}

#[cfg(test)]
mod tests;
