package vn.phananh.app

import android.app.Application
import android.content.pm.ApplicationInfo
import android.net.ConnectivityManager
import android.net.Network
import android.os.Handler
import android.os.Looper
import java.io.File
import java.util.concurrent.Callable
import java.util.concurrent.ExecutionException
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.Future
import vn.phananh.app.platform.KeystoreSecretStore
import vn.phananh.app.platform.NativeTls
import vn.phananh.app.platform.SyncJobService
import vn.phananh.app.state.attempt
import vn.phananh.core.model.Config
import vn.phananh.core.PhanAnh
import vn.phananh.core.SecretStore
import vn.phananh.core.model.SyncEvent
import vn.phananh.core.SyncListener
import vn.phananh.core.SyncTask
import vn.phananh.core.model.Settings
import vn.phananh.core.model.UiTexts

/**
 * Holds the one core object for the process and the settings; tells the
 * core when the network comes and goes.
 *
 * The core is opened on a background thread as the process starts (loading
 * the native library and opening SQLite take tens of milliseconds on a cheap
 * phone, which the main thread must not spend): screens wait with
 * [whenReady], background work blocks in [core].
 */
open class PhanAnhApp : Application() {
    private val opener: ExecutorService = Executors.newSingleThreadExecutor { task ->
        Thread(task, "phananh-open").apply { isDaemon = true }
    }
    @Volatile private var opening: Future<PhanAnh>? = null
    /** Guards [opened] and [waiting]; held for no more than a list's change. */
    private val readyLock = Any()
    /** The open has finished (well or not). */
    private var opened = false
    /** Screens' [whenReady] blocks, posted by the open when it finishes. */
    private val waiting = mutableListOf<() -> Unit>()
    private var syncTask: SyncTask? = null
    private val main = Handler(Looper.getMainLooper())
    private val watchers = mutableSetOf<() -> Unit>()

    /** A report was just sent: the next screen asks for notifications (Android 13+). */
    var askForNotifications = false

    override fun onCreate() {
        super.onCreate()
        startOpening()
        watchNetwork()
        SyncJobService.schedulePeriodic(this)
    }

    @Synchronized
    private fun startOpening(): Future<PhanAnh> =
        opening ?: opener.submit(Callable { try { open() } finally { postWaiting() } }).also { opening = it }

    /**
     * Posts the waiting screens from the open's own task, so they are on the
     * main thread's queue by the time [core] returns (a later task of the
     * opener's could post them after a caller of [core] had looked).
     */
    private fun postWaiting() = synchronized(readyLock) {
        opened = true
        waiting.forEach { main.post(it) }
        waiting.clear()
    }

    /** The core; blocks until it is open (screens use [whenReady] instead). */
    fun core(): PhanAnh = try {
        startOpening().get()
    } catch (e: ExecutionException) {
        throw e.cause ?: e
    }

    /** The core is open: [core] returns at once. */
    val isReady: Boolean get() = opening?.isDone == true

    /** Runs [block] on the main thread once the core is open (at once if it is). */
    fun whenReady(block: () -> Unit) {
        val queued = synchronized(readyLock) { (!opened).also { if (it) waiting += block } }
        if (!queued) return block()
        // Outside the lock: closeCore holds this object while it waits for the open.
        startOpening()
    }

    /**
     * Closes the core; the next use opens it again from disk. The process
     * dying does the same to it, which is how tests stand in for process death.
     */
    @Synchronized
    fun closeCore() {
        stopLiveSync()
        val open = opening ?: return
        opening = null
        runCatching { open.get() }.getOrNull()?.close()
        synchronized(readyLock) { opened = false }
    }

    private fun open(): PhanAnh {
        prepareNative()
        val dir = File(filesDir, "core").apply { mkdirs() }
        val config = Config(
            dataDir = dir.path,
            defaultServerUrl = defaultServerUrl(),
            deviceLocale = resources.configuration.locales[0].toLanguageTag(),
            userAgentSuffix = "Android ${android.os.Build.VERSION.RELEASE}",
        )
        return PhanAnh(config, secretStore())
    }

    /** Where the device token is kept: encrypted with a key in the Android Keystore. */
    protected open fun secretStore(): SecretStore = KeystoreSecretStore(this)

    /** The native library's one Android-only step (server certificates checked by Android's trust store). */
    protected open fun prepareNative() = NativeTls.ensure(this)

    /**
     * Debug builds talk to the tester's laptop (the emulator's 10.0.2.2);
     * release builds to the district's server. Settings may change it.
     */
    protected open fun defaultServerUrl(): String =
        if (applicationInfo.flags and ApplicationInfo.FLAG_DEBUGGABLE != 0) "http://10.0.2.2:8080" else RELEASE_SERVER

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
        // Off the main thread: the first callback may come before the core is open.
        opener.execute {
            opening?.let { runCatching { it.get().setOnline(online) } }
            main.post { changed() }
        }
    }

    private companion object {
        const val RELEASE_SERVER = "https://phananh.doluong.nghean.gov.vn"
    }
}
