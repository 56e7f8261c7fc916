package vn.phananh.app.ui

import android.app.Activity
import android.content.Intent
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.robolectric.Robolectric
import org.robolectric.RuntimeEnvironment
import vn.phananh.app.state.MemorySecrets
import vn.phananh.core.PhanAnh
import vn.phananh.core.model.Config
import vn.phananh.core.model.DraftFields
import vn.phananh.core.model.Language
import vn.phananh.core.model.Location

/**
 * Every screen × {vi, en} × font scale {1.0, 1.3, 2.0} × {light, dark},
 * drawn by Android's own graphics on a 360 dp phone, saved under
 * `android/check/target/screenshots/`, and checked (no clipping or overlap,
 * names for screen readers, 48 dp targets, 4.5:1 contrast — see [Checks]).
 *
 * A few of them are committed under `android/screenshots/` for testers; a
 * screen that changes makes this test fail until they are redrawn:
 * `mvn -f android/check/pom.xml test -Dtest=ScreenshotsTest -Dphananh.screenshots.update=true`.
 */
class ScreenshotsTest : AppTest() {
    private data class Variant(val language: Language, val scale: Float, val night: Boolean) {
        val name = "${if (language == Language.VI) "vi" else "en"}-$scale-${if (night) "dark" else "light"}"
    }

    private val variants = listOf(Language.VI, Language.EN).flatMap { language ->
        listOf(1.0f, 1.3f, 2.0f).flatMap { scale -> listOf(false, true).map { Variant(language, scale, it) } }
    }

    /** The variants kept in the repository: how most will see it, and the hardest case. */
    private val committed = setOf("vi-1.0-light", "en-2.0-dark")

    private val out = File(System.getProperty("phananh.screenshots")).apply { mkdirs() }
    private val repo = File(System.getProperty("phananh.committed.screenshots"))
    private val update = System.getProperty("phananh.screenshots.update") == "true"

    private fun shoot(screen: String, open: () -> Activity) {
        val findings = mutableListOf<String>()
        for (v in variants) {
            app.applySettings(app.settings.copy(language = v.language)).getOrThrow()
            RuntimeEnvironment.setFontScale(v.scale)
            RuntimeEnvironment.setQualifiers(if (v.night) "+night" else "+notnight")
            val activity = open()
            idle()
            val picture = Checks.screen(activity)
            val file = File(out, "$screen-${v.name}.png")
            file.outputStream().use { picture.compress(Bitmap.CompressFormat.PNG, 100, it) }
            Checks.run(activity).forEach { findings += "$screen ${v.name}: $it" }
            if (v.name in committed) compareWithCommitted(File(repo, file.name), picture, findings)
            activity.finish()
            idle()
        }
        if (findings.isNotEmpty()) fail(findings.joinToString("\n"))
    }

    /**
     * The committed picture must still be the screen: same size, and at most
     * 3 % of pixels different (what a tracking code, a date or a relative
     * time changes; a moved button, a new colour or a changed label is more).
     */
    private fun compareWithCommitted(committed: File, now: Bitmap, findings: MutableList<String>) {
        if (update) {
            committed.parentFile.mkdirs()
            committed.outputStream().use { now.compress(Bitmap.CompressFormat.PNG, 100, it) }
            return
        }
        if (!committed.isFile) {
            findings += "${committed.name} is not committed (run with -Dphananh.screenshots.update=true)"
            return
        }
        val before = BitmapFactory.decodeFile(committed.path)
        if (before.width != now.width || before.height != now.height) {
            findings += "${committed.name}: the screen's size changed; redraw the committed pictures"
            return
        }
        var differ = 0
        for (y in 0 until now.height) for (x in 0 until now.width) if (before.getPixel(x, y) != now.getPixel(x, y)) differ++
        val share = differ.toDouble() / (now.width * now.height)
        if (share > 0.03) {
            findings += "${committed.name}: ${"%.1f".format(share * 100)} % of pixels changed; look at " +
                "android/check/target/screenshots/${committed.name} and redraw with -Dphananh.screenshots.update=true"
        }
    }

    private fun <T : Activity> screenOf(type: Class<T>, intent: Intent? = null): Activity =
        Robolectric.buildActivity(type, intent ?: Intent(app, type)).setup().get().also {
            app.core()
            idle()
        }

    /** A sent report with the district's answer, and a draft with the resident's words and a photo. */
    private fun scene(): Pair<String, String> {
        val core = app.core()
        runBlocking { core.refreshCategories() }
        val sent = core.createDraft(
            DraftFields(
                category = "o_ga",
                description = "Ổ gà lớn giữa đường liên xã Tràng Sơn, xe máy đã ngã hai lần",
                location = Location(18.8201, 105.3552, 8.0),
            ),
        )
        core.attachPhotoPath(sent.id, photo().path)
        core.submit(sent.id)
        runBlocking { core.syncOnce() }
        val code = core.getReport(sent.id).trackingCode!!
        TestServer.staffAnswer(code, "resolved", "Đã vá xong ổ gà bằng bê tông nhựa, cảm ơn bà con đã báo.")
        runBlocking { core.syncOnce() }
        val draft = core.createDraft(
            DraftFields(
                category = "den_duong",
                description = "Đèn đường trước nhà văn hoá thôn 3 không sáng",
                address = "Thôn 3, xã Bài Sơn",
            ),
        )
        core.attachPhotoPath(draft.id, photo("HMD_Nokia_8.3_5G.jpg").path)
        return sent.id to draft.id
    }

    @Test
    fun myReports() {
        scene()
        shoot("reports") { screenOf(ReportsActivity::class.java) }
    }

    @Test
    fun editor() {
        val (_, draft) = scene()
        shoot("editor") {
            screenOf(EditorActivity::class.java, Intent(app, EditorActivity::class.java).putExtra(ReportsActivity.EXTRA_ID, draft))
        }
    }

    @Test
    fun detail() {
        val (sent, _) = scene()
        shoot("detail") {
            screenOf(DetailActivity::class.java, Intent(app, DetailActivity::class.java).putExtra(ReportsActivity.EXTRA_ID, sent))
        }
    }

    @Test
    fun settings() {
        shoot("settings") { screenOf(SettingsActivity::class.java) }
    }

    @Test
    fun following() {
        // A neighbour's report, filed from another phone.
        val dir = Files.createTempDirectory("phananh-neighbour").toString()
        val code = PhanAnh(Config(dataDir = dir, defaultServerUrl = TestServer.url, deviceLocale = "vi-VN"), MemorySecrets()).use { other ->
            runBlocking { other.refreshCategories() }
            val r = other.createDraft(
                DraftFields(category = "rac_thai", description = "Rác thải đổ bừa bãi cạnh kênh N2", location = Location(18.9201, 105.3101, 10.0)),
            )
            other.submit(r.id)
            runBlocking { other.syncOnce() }
            other.getReport(r.id).trackingCode!!
        }
        app.core().follow(code, true, emptyList())
        runBlocking { app.core().syncOnce() }
        assertTrue(app.core().following().single().handlingLine != null)
        shoot("following") { screenOf(FollowingActivity::class.java) }
    }
}
