package vn.phananh.app.ui

import android.app.Activity
import android.content.Intent
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import java.io.File
import java.net.HttpURLConnection
import java.net.ServerSocket
import java.net.URI
import java.nio.file.Files
import java.time.Duration
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import vn.phananh.app.PhanAnhApp
import vn.phananh.app.state.MemorySecrets
import vn.phananh.core.SecretStore

/**
 * The real app, but for the two things only a device has: the Android
 * Keystore (no provider on the JVM: the token stays in memory) and the
 * Android-only TLS set-up of the native library (the host build has no JNI
 * entry point; the test server speaks plain HTTP on loopback).
 */
class TestApp : PhanAnhApp() {
    /** The thread the core was opened on (must not be the main thread). */
    @Volatile var openedOn: Thread? = null

    override fun secretStore(): SecretStore {
        openedOn = Thread.currentThread()
        return MemorySecrets()
    }

    override fun prepareNative() {}

    override fun defaultServerUrl(): String = TestServer.url
}

/**
 * One real `phananh-server --demo` for the whole test run, on a free
 * loopback port. Kept in system properties: Robolectric may load this class
 * in more than one sandbox.
 */
object TestServer {
    val url: String get() = System.getProperty(URL) ?: start()
    private val password: String get() = url.let { System.getProperty(PASSWORD) }

    @Synchronized
    private fun start(): String {
        System.getProperty(URL)?.let { return it }
        val port = ServerSocket(0).use { it.localPort }
        val data = Files.createTempDirectory("phananh-robolectric-server").toString()
        val bin = System.getProperty("phananh.server.bin")
        check(File(bin).canExecute()) { "phananh-server missing at $bin: cargo build -p phananh-server" }
        val server = ProcessBuilder(bin, "serve", "--demo", "--data", data, "--listen", "127.0.0.1:$port").start()
        Runtime.getRuntime().addShutdownHook(Thread { server.destroy() })
        val lines = server.inputStream.bufferedReader()
        while (true) {
            val line = lines.readLine() ?: error("the server stopped")
            if (line.startsWith("demo staff account:")) System.setProperty(PASSWORD, line.substringAfterLast(" / ").trim())
            if (line.startsWith("staff dashboard:")) break
        }
        Thread { lines.forEachLine { } }.apply { isDaemon = true }.start()
        return "http://127.0.0.1:$port".also { System.setProperty(URL, it) }
    }

    private fun post(path: String, body: String, token: String? = null): String {
        val c = URI(url + path).toURL().openConnection() as HttpURLConnection
        c.requestMethod = "POST"
        c.doOutput = true
        c.setRequestProperty("Content-Type", "application/json")
        token?.let { c.setRequestProperty("Authorization", "Bearer $it") }
        c.outputStream.use { it.write(body.toByteArray()) }
        check(c.responseCode == 200) { "POST $path: ${c.responseCode}" }
        return c.inputStream.bufferedReader().readText()
    }

    /** The district answers, as an officer would from the dashboard. */
    fun staffAnswer(code: String, status: String, reply: String) {
        val session = post("/api/v1/staff/login", """{"name":"admin","password":"$password"}""")
        val token = Regex("\"token\":\"([^\"]+)\"").find(session)!!.groupValues[1]
        post("/api/v1/staff/reports/$code/status", """{"status":"$status","reply":"$reply"}""", token)
    }

    private const val URL = "phananh.test.server.url"
    private const val PASSWORD = "phananh.test.server.password"
}

/**
 * Every screen test: Robolectric's Android 14 on a 360 dp-wide, 640 dp-tall
 * phone at 1.5× density (a common cheap phone) set to Vietnamese, drawing
 * real pixels.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [34], application = TestApp::class, manifest = Config.NONE, qualifiers = "vi-rVN-w360dp-h640dp-hdpi")
@GraphicsMode(GraphicsMode.Mode.NATIVE)
abstract class AppTest {
    val app: TestApp get() = RuntimeEnvironment.getApplication() as TestApp

    /**
     * The process ends with the test: its live sync stops and its core
     * closes (else a test's sync loop outlives it, keeps its screens alive
     * and posts to the next test's main thread).
     */
    @org.junit.After
    fun endProcess() {
        app.closeCore()
    }

    /** Runs what the main thread has queued, and a frame's worth of the injected clock. */
    fun idle() {
        shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(20))
    }

    /** Past the editor's typing pause (the injected clock, not a sleep). */
    fun afterTyping() {
        shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMillis(500))
    }

    /**
     * Waits for work outside the main thread (the core's sync over loopback)
     * to make [done] true, running the main thread meanwhile. A bound on real
     * I/O, never a clock the test depends on.
     */
    fun waitFor(what: String, timeoutMs: Long = 30_000, done: () -> Boolean) {
        val until = System.nanoTime() + timeoutMs * 1_000_000
        while (true) {
            idle()
            if (done()) return
            check(System.nanoTime() < until) { "timed out waiting for $what" }
            Thread.sleep(20)
        }
    }

    fun <T : Activity> launch(type: Class<T>, intent: Intent? = null): ActivityController<T> {
        val controller = Robolectric.buildActivity(type, intent ?: Intent(app, type)).setup()
        app.core()
        idle()
        return controller
    }

    /** The activity the app asked to start last (and consumes it). */
    fun started(from: Activity): Intent = shadowOf(from).nextStartedActivity ?: error("nothing was started")

    fun <T : Activity> follow(from: Activity, type: Class<T>): ActivityController<T> {
        val intent = started(from)
        check(intent.component?.className == type.name) { "started ${intent.component}, not ${type.name}" }
        return launch(type, intent)
    }

    val texts get() = app.texts()
}

/** Every view under [root], depth first. */
fun viewsUnder(root: View): List<View> = buildList {
    fun walk(v: View) {
        add(v)
        if (v is ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
    }
    walk(root)
}

val Activity.views: List<View> get() = viewsUnder(window.decorView)

/** All text the screen shows (what a tester reads), one view per line. */
val Activity.shown: String
    get() = views.filterIsInstance<TextView>().filter { it.isShown && it.text.isNotEmpty() }
        .joinToString("\n") { it.text.toString() }

fun Activity.button(label: String): Button =
    views.filterIsInstance<Button>().filter { it.isShown && it.text.toString() == label }.let {
        check(it.isNotEmpty()) { "no button \"$label\" on screen:\n$shown" }
        it.first()
    }

fun Activity.hasButton(label: String): Boolean =
    views.filterIsInstance<Button>().any { it.isShown && it.text.toString() == label }

/** The text field a user finds by its name: its visible label, or its hint. */
fun Activity.field(name: String): EditText {
    val labels = views.filterIsInstance<TextView>().filter { it.isShown && it.text.toString() == name && it.labelFor != View.NO_ID }
    return views.filterIsInstance<EditText>().firstOrNull { field ->
        field.isShown && (field.hint?.toString() == name || labels.any { it.labelFor == field.id })
    } ?: error("no field \"$name\" on screen:\n$shown")
}

fun AppTest.click(activity: Activity, label: String) {
    check(activity.button(label).performClick()) { "\"$label\" did nothing" }
    idle()
}

fun AppTest.type(activity: Activity, hint: String, text: String) {
    activity.field(hint).apply {
        requestFocus()
        setText(text)
    }
    idle()
}

/** The back key, as the system delivers it. */
fun AppTest.pressBack(activity: Activity) {
    activity.dispatchKeyEvent(android.view.KeyEvent(android.view.KeyEvent.ACTION_DOWN, android.view.KeyEvent.KEYCODE_BACK))
    activity.dispatchKeyEvent(android.view.KeyEvent(android.view.KeyEvent.ACTION_UP, android.view.KeyEvent.KEYCODE_BACK))
    idle()
}
