package vn.phananh.app

import android.app.Application
import android.content.pm.ApplicationInfo
import android.net.ConnectivityManager
import android.net.Network
import android.os.Handler
import android.os.Looper
import java.io.File
import vn.phananh.app.platform.KeystoreSecretStore
import vn.phananh.app.platform.NativeTls
import vn.phananh.app.platform.Prefs
import vn.phananh.app.platform.SyncJobService
import vn.phananh.app.state.Settings
import vn.phananh.app.state.SettingsModel
import vn.phananh.core.Config
import vn.phananh.core.PhanAnh
import vn.phananh.core.SyncEvent
import vn.phananh.core.SyncListener
import vn.phananh.core.SyncTask
import vn.phananh.core.UiTexts

/**
 * Holds the one core object for the process and the settings; tells the
 * core when the network comes and goes.
 */
class PhanAnhApp : Application() {
    lateinit var settingsModel: SettingsModel
        private set
    lateinit var settings: Settings
        private set
    private var core: PhanAnh? = null
    private var syncTask: SyncTask? = null
    private val main = Handler(Looper.getMainLooper())
    private val watchers = mutableSetOf<() -> Unit>()

    override fun onCreate() {
        super.onCreate()
        val debuggable = applicationInfo.flags and ApplicationInfo.FLAG_DEBUGGABLE != 0
        // Debug builds talk to the tester's laptop (the emulator's 10.0.2.2);
        // release builds to the district's server.
        val defaultServer = if (debuggable) "http://10.0.2.2:8080" else RELEASE_SERVER
        settingsModel = SettingsModel(Prefs(this), resources.configuration.locales[0].toLanguageTag(), defaultServer)
        settings = settingsModel.load()
        watchNetwork()
        SyncJobService.schedulePeriodic(this)
    }

    /** The core, opened on first use. */
    @Synchronized
    fun core(): PhanAnh = core ?: open(settings).also { core = it }

    private fun open(s: Settings): PhanAnh {
        NativeTls.ensure(this)
        val dir = File(filesDir, "core").apply { mkdirs() }
        return PhanAnh(Config(dataDir = dir.path, serverUrl = s.serverUrl, language = s.language), KeystoreSecretStore(this))
    }

    fun texts(): UiTexts = core().texts()

    /** Save settings; a new server reopens the core (drafts stay: same data directory). */
    @Synchronized
    fun applySettings(next: Settings): Result<Settings> {
        val saved = settingsModel.save(next).getOrElse { return Result.failure(it) }
        if (settingsModel.needsReopen(settings, saved)) {
            stopLiveSync()
            core?.close()
            core = null
        }
        settings = saved
        core().setLanguage(saved.language)
        changed()
        return Result.success(saved)
    }

    /** Sync continuously while a screen is visible (the job covers the rest). */
    fun startLiveSync() {
        if (syncTask != null) return
        syncTask = core().startSync(object : SyncListener {
            override fun onEvent(event: SyncEvent) {
                if (event !is SyncEvent.PhotoProgress || event.sent == event.total) main.post { changed() }
            }
        })
    }

    fun stopLiveSync() {
        syncTask?.cancel()
        syncTask = null
    }

    /** Screens re-read the core when something changed (sync, settings). */
    fun watch(onChange: () -> Unit) { watchers += onChange }
    fun unwatch(onChange: () -> Unit) { watchers -= onChange }
    private fun changed() = watchers.toList().forEach { it() }

    private fun watchNetwork() {
        val cm = getSystemService(ConnectivityManager::class.java) ?: return
        cm.registerDefaultNetworkCallback(object : ConnectivityManager.NetworkCallback() {
            override fun onAvailable(network: Network) = setOnline(true)
            override fun onLost(network: Network) = setOnline(false)
        })
    }

    private fun setOnline(online: Boolean) {
        core?.setOnline(online)
        main.post { changed() }
    }

    private companion object {
        const val RELEASE_SERVER = "https://phananh.doluong.nghean.gov.vn"
    }
}
