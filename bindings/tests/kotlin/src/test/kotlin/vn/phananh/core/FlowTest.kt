package vn.phananh.core

import java.io.File
import java.net.HttpURLConnection
import java.net.ServerSocket
import java.net.URI
import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import vn.phananh.core.model.*

/** The token store a shell would back with the Android Keystore. */
class MemorySecrets : SecretStore {
    private val values = java.util.concurrent.ConcurrentHashMap<String, String>()
    override fun get(key: String): String? = values[key]
    override fun set(key: String, value: String) { values[key] = value }
    override fun remove(key: String) { values.remove(key) }
}

class Events : SyncListener {
    val events = java.util.concurrent.CopyOnWriteArrayList<SyncEvent>()
    override fun onEvent(event: SyncEvent) { events.add(event) }
}

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlowTest {
    private lateinit var server: Process
    private lateinit var url: String
    private lateinit var staffPassword: String
    private val photos = File(System.getProperty("phananh.photos"))

    @BeforeAll
    fun startServer() {
        val port = ServerSocket(0).use { it.localPort }
        val data = Files.createTempDirectory("phananh-kt-server").toString()
        server = ProcessBuilder(System.getProperty("phananh.server.bin"), "serve", "--demo", "--data", data,
            "--listen", "127.0.0.1:$port").redirectErrorStream(false).start()
        val lines = server.inputStream.bufferedReader()
        while (true) {
            val line = lines.readLine() ?: error("the server stopped")
            if (line.startsWith("demo staff account:")) staffPassword = line.substringAfterLast(" / ").trim()
            if (line.startsWith("staff dashboard:")) break
        }
        Thread { lines.forEachLine { } }.apply { isDaemon = true }.start()
        url = "http://127.0.0.1:$port"
    }

    @AfterAll
    fun stopServer() {
        server.destroy()
        server.waitFor()
    }

    private fun open(language: Language = Language.VI, dir: String = Files.createTempDirectory("phananh-kt").toString()) =
        PhanAnh(
            Config(dataDir = dir, defaultServerUrl = url, deviceLocale = if (language == Language.VI) "vi-VN" else "en-US"),
            MemorySecrets(),
        )

    private fun post(path: String, body: String, token: String? = null): String {
        val c = URI(url + path).toURL().openConnection() as HttpURLConnection
        c.requestMethod = "POST"
        c.doOutput = true
        c.setRequestProperty("Content-Type", "application/json")
        token?.let { c.setRequestProperty("Authorization", "Bearer $it") }
        c.outputStream.use { it.write(body.toByteArray()) }
        assertEquals(200, c.responseCode, "POST $path")
        return c.inputStream.bufferedReader().readText()
    }

    private fun staffReply(code: String, status: String, reply: String) {
        val session = post("/api/v1/staff/login", """{"name":"admin","password":"$staffPassword"}""")
        val token = Regex("\"token\":\"([^\"]+)\"").find(session)!!.groupValues[1]
        post("/api/v1/staff/reports/$code/status", """{"status":"$status","reply":"$reply"}""", token)
    }

    @Test
    fun theWholeFlow() = runBlocking {
        open().use { app ->
            assertTrue(app.refreshCategories())
            assertEquals("Ổ gà, hư hỏng mặt đường", app.categories().first { it.code == "o_ga" }.name)

            val draft = app.createDraft(DraftFields(description = "Ổ gà"))
            val invalid = assertThrows<PhanAnhException.Validation> { app.submit(draft.id) }
            assertTrue(invalid.detail.contains("Mô tả") || invalid.detail.contains("Loại"), invalid.detail)

            app.updateDraft(draft.id, DraftFields(
                category = "o_ga",
                description = "Ổ gà lớn giữa đường liên xã, xe máy đã ngã",
                location = Location(lat = 18.9, lon = 105.3, accuracyM = 5.0),
            ))
            val attached = app.attachPhotoPath(draft.id, File(photos, "DSCN0010.jpg").path)
            assertTrue(attached.photo.bytes in 20_000uL..2_000_000uL)
            assertEquals(43.4674, attached.suggestion.location!!.lat, 0.001)

            assertEquals(ReportState.QUEUED, app.submit(draft.id).state)
            val summary = app.syncOnce()
            assertEquals(1u, summary.sent)
            val sent = app.getReport(draft.id)
            assertEquals(ReportState.SENT, sent.state)
            val code = sent.trackingCode ?: error("no tracking code")
            assertTrue(code.startsWith("DL-"))

            staffReply(code, "in_progress", "Tổ công tác sẽ vá trong tuần.")
            assertEquals(1u, app.syncOnce().changes)
            val updated = app.getReport(draft.id)
            assertEquals(DistrictStatus.IN_PROGRESS, updated.status)
            assertEquals("Đang xử lý", updated.statusLabel)
            assertEquals("Tổ công tác sẽ vá trong tuần.", updated.history.last().reply)
            app.setLanguage(Language.EN)
            assertEquals("In progress", app.getReport(draft.id).statusLabel)
        }
    }

    @Test
    fun aLongSyncCanBeCancelled() {
        open().use { app ->
            val events = Events()
            val task = app.startSync(events)
            val draft = app.createDraft(DraftFields(category = "den_duong",
                description = "Đèn đường hỏng trước cổng trường", location = Location(lat = 18.92, lon = 105.31)))
            app.submit(draft.id)
            val deadline = System.currentTimeMillis() + 20_000
            while (app.getReport(draft.id).state != ReportState.SENT) {
                assertTrue(System.currentTimeMillis() < deadline, "the running sync sent the report")
                Thread.sleep(50)
            }
            assertTrue(events.events.any { it is SyncEvent.Sent })
            task.cancel()
            val stopBy = System.currentTimeMillis() + 5_000
            while (!task.isStopped()) {
                assertTrue(System.currentTimeMillis() < stopBy, "cancel stops the sync")
                Thread.sleep(20)
            }
        }
    }

    @Test
    fun twoInstancesOnTwoDirectories() {
        open().use { a ->
            open(Language.EN).use { b ->
                a.createDraft(DraftFields(description = "Một"))
                assertEquals(1, a.listReports(ListFilter()).items.size)
                assertEquals(0, b.listReports(ListFilter()).items.size)
            }
        }
    }

    @Test
    fun settingsAreTheCoresAndSurviveARestart() {
        val dir = Files.createTempDirectory("phananh-kt-settings").toString()
        open(Language.EN, dir).use { app ->
            val first = app.settings()
            // The language follows the device until chosen; the server is the default.
            assertEquals(Language.EN, first.language)
            assertEquals(url, first.serverUrl)
            assertTrue(!first.volunteerMode)
            val saved = app.saveSettings(first.copy(serverUrl = "  $url/ ", volunteerMode = true, language = Language.VI))
            assertEquals(url, saved.serverUrl)
            assertEquals(saved, app.settings())
            // Not an address: the core says why, in the chosen language, and nothing is kept.
            val bad = assertThrows<PhanAnhException.Validation> { app.saveSettings(saved.copy(serverUrl = "10.0.2.2:8080")) }
            assertEquals("server_url", bad.field)
            assertTrue(bad.detail.contains("địa chỉ máy chủ"), bad.detail)
            assertEquals(saved, app.settings())
            // Blank: back to the default.
            assertEquals(url, app.saveSettings(saved.copy(serverUrl = " ")).serverUrl)
        }
        // A second start (a new process) finds them, whatever the device says now.
        open(Language.EN, dir).use { app ->
            assertEquals(Language.VI, app.settings().language)
            assertTrue(app.settings().volunteerMode)
        }
    }

    @Test
    fun badInputIsATypedException() {
        open(Language.EN).use { app ->
            assertThrows<PhanAnhException.NotFound> { app.getReport("nope") }
            val draft = app.createDraft(DraftFields())
            assertThrows<PhanAnhException.PhotoRejected> { app.attachPhotoBytes(draft.id, byteArrayOf(1, 2, 3)) }
            assertThrows<PhanAnhException> { app.attachPhotoPath(draft.id, "/nonexistent.jpg") }
        }
    }
}
