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
import vn.phananh.app.platform.SyncJobService
import vn.phananh.app.state.attempt
import vn.phananh.core.model.Config
import vn.phananh.core.PhanAnh
import vn.phananh.core.model.SyncEvent
import vn.phananh.core.SyncListener
import vn.phananh.core.SyncTask
import vn.phananh.core.model.Settings
import vn.phananh.core.model.UiTexts

/**
 * Holds the one core object for the process and the settings; tells the
 * core when the network comes and goes.
 */
class PhanAnhApp : Application() {
    private var core: PhanAnh? = null
    private var syncTask: SyncTask? = null
    private val main = Handler(Looper.getMainLooper())
    private val watchers = mutableSetOf<() -> Unit>()

    /** A report was just sent: the next screen asks for notifications (Android 13+). */
    var askForNotifications = false

    override fun onCreate() {
        super.onCreate()
        watchNetwork()
        SyncJobService.schedulePeriodic(this)
    }

    /** The core, opened on first use. Settings live in it. */
    @Synchronized
    fun core(): PhanAnh = core ?: open().also { core = it }

    private fun open(): PhanAnh {
        NativeTls.ensure(this)
        val dir = File(filesDir, "core").apply { mkdirs() }
        val debuggable = applicationInfo.flags and ApplicationInfo.FLAG_DEBUGGABLE != 0
        // Debug builds talk to the tester's laptop (the emulator's 10.0.2.2);
        // release builds to the district's server.
        val config = Config(
            dataDir = dir.path,
            defaultServerUrl = if (debuggable) "http://10.0.2.2:8080" else RELEASE_SERVER,
            deviceLocale = resources.configuration.locales[0].toLanguageTag(),
            userAgentSuffix = "Android ${android.os.Build.VERSION.RELEASE}",
        )
        return PhanAnh(config, KeystoreSecretStore(this))
    }

    fun texts(): UiTexts = core().texts()

    /** The settings, as the core keeps them. */
    val settings: Settings get() = core().settings()

    /**
     * Save settings; the core checks the address and moves a running sync
     * to a new server (drafts stay: same data directory).
     */
    fun applySettings(next: Settings): Result<Settings> =
        attempt { core().saveSettings(next) }.onSuccess { changed() }

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
