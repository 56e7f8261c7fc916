package vn.phananh.app.ui

import android.Manifest
import android.app.Activity
import android.app.NotificationManager
import android.content.Intent
import android.location.Location
import android.location.LocationManager
import android.net.Uri
import android.provider.MediaStore
import android.widget.ListView
import android.widget.RadioButton
import android.widget.Spinner
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController
import org.robolectric.shadows.ShadowToast
import vn.phananh.core.model.ReportState

/**
 * Every screen driven as a tester would on an emulator: clicks, typing,
 * the camera's and the gallery's answers, the GPS, the sync job, the
 * network coming and going — against the real core and a real server.
 * Assertions read what the screen shows, in the core's own labels.
 */
class ScreensTest : AppTest() {
    private fun <T : Activity> ActivityController<T>.leave(): ActivityController<T> = pause().stop().also { idle() }
    private fun <T : Activity> ActivityController<T>.back(): ActivityController<T> = restart().resume().visible().also { idle() }

    /** The category spinner's choices arrive from the server on first start. */
    private fun chooseCategory(editor: Activity, code: String) {
        waitFor("the categories") { editor.views.filterIsInstance<Spinner>().single().adapter.count > 1 }
        val categories = app.core().categories()
        val name = categories.single { it.code == code }.let { "${it.group} — ${it.name}" }
        val spinner = editor.views.filterIsInstance<Spinner>().single()
        spinner.setSelection(categories.indexOfFirst { it.code == code } + 1)
        idle()
        waitFor("the category on screen") { editor.views.filterIsInstance<Spinner>().single().selectedItem == name }
    }

    @Test
    fun aResidentFilesAReportWithCameraGalleryAndGpsAndFollowsItToTheAnswer() {
        shadowOf(app).grantPermissions(
            Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION,
            Manifest.permission.POST_NOTIFICATIONS,
        )
        val list = launch(ReportsActivity::class.java)
        assertTrue(list.get().shown.contains(texts.noReports))
        assertEquals(texts.myReports, list.get().title)

        click(list.get(), texts.newReport)
        list.leave()
        val editor = follow(list.get(), EditorActivity::class.java)
        val screen = editor.get()
        chooseCategory(screen, "o_ga")
        type(screen, texts.descriptionHint, "Ổ gà lớn giữa đường liên xã, xe máy đã ngã hai lần")
        afterTyping()

        // The camera: the app hands a content:// URI; the camera app writes the photo there.
        click(screen, texts.takePhoto)
        val capture = started(screen)
        assertEquals(MediaStore.ACTION_IMAGE_CAPTURE, capture.action)
        @Suppress("DEPRECATION")
        val output = capture.getParcelableExtra<Uri>(MediaStore.EXTRA_OUTPUT)!!
        assertEquals("content", output.scheme)
        photo().copyTo(java.io.File(app.cameraDir(), output.lastPathSegment!!))
        shadowOf(screen).receiveResult(capture, Activity.RESULT_OK, null)
        idle()
        assertTrue(screen.shown, screen.views.any { it.contentDescription == "${texts.photos} 1" })
        assertTrue("the camera's file is removed once the core has its copy", app.cameraDir().listFiles()!!.isEmpty())

        // The gallery: a content URI from another app, read through the content resolver.
        click(screen, texts.choosePhoto)
        val pick = started(screen)
        assertEquals(Intent.ACTION_GET_CONTENT, pick.action)
        val picked = Uri.parse("content://media/external/images/media/42")
        shadowOf(app.contentResolver).registerInputStream(picked, photo("HMD_Nokia_8.3_5G.jpg").inputStream())
        shadowOf(screen).receiveResult(pick, Activity.RESULT_OK, Intent().setData(picked))
        idle()
        assertTrue(screen.shown, screen.views.any { it.contentDescription == "${texts.photos} 2" })

        // The GPS: a fix of 8 m from the phone's location service.
        val locations = app.getSystemService(LocationManager::class.java)
        shadowOf(locations).setProviderEnabled(LocationManager.GPS_PROVIDER, true)
        click(screen, texts.useMyLocation)
        shadowOf(locations).simulateLocation(Location(LocationManager.GPS_PROVIDER).apply {
            latitude = 18.8201; longitude = 105.3552; accuracy = 8f; time = System.currentTimeMillis()
        })
        idle()
        assertTrue(screen.shown, screen.shown.contains("18.82010, 105.35520"))

        click(screen, texts.send)
        waitFor("the editor to close after sending") { screen.isFinishing }
        val job = app.getSystemService(android.app.job.JobScheduler::class.java).getPendingJob(2)
        assertTrue("sending schedules the sync job", job != null)

        // Back on the list, the live sync sends it; the row gets its tracking code.
        list.back()
        waitFor("the tracking code on the list") { list.get().shown.contains("DL-") }
        val rows = list.get().views.filterIsInstance<ListView>().single()
        val code = Regex("DL-[0-9A-Z]+").find(list.get().shown)!!.value
        waitFor("the sync line to settle") { list.get().shown.contains(texts.syncDone) }

        // The detail: code, status, where it went.
        val first = rows.getChildAt(rows.headerViewsCount)
        rows.performItemClick(first, rows.headerViewsCount, 0)
        list.leave()
        val detail = follow(list.get(), DetailActivity::class.java)
        assertTrue(detail.get().shown, detail.get().shown.contains(code))
        assertTrue(detail.get().shown, detail.get().shown.contains("${texts.responsibleUnit}:"))
        // What sending it cost, for a prepaid plan: the photos at least.
        assertTrue(detail.get().shown, Regex("Đã dùng [0-9,]+ (KB|MB) dữ liệu").containsMatchIn(detail.get().shown))
        detail.leave()

        // The district answers; the background job brings it and tells the resident.
        TestServer.staffAnswer(code, "resolved", "Đã vá xong ổ gà, cảm ơn bà con.")
        assertFalse(runSyncJob(1))
        val notes = shadowOf(app.getSystemService(NotificationManager::class.java)).allNotifications
        assertTrue(notes.any { it.extras.getString("android.title")?.contains(code) == true })
        detail.back()
        val answered = detail.get()
        assertTrue(answered.shown, answered.shown.contains("Đã vá xong ổ gà, cảm ơn bà con."))
        assertTrue(answered.shown, answered.shown.contains(texts.officialReply))

        // The resident rates the answer.
        click(answered, texts.scoreSatisfied)
        assertFalse("rated once", answered.hasButton(texts.scoreSatisfied))
        assertTrue(answered.shown, answered.shown.contains(texts.scoreSatisfied))
    }

    @Test
    fun aVolunteerFilesForANeighbourWithTheirConsent() {
        val list = launch(ReportsActivity::class.java)
        click(list.get(), texts.settings)
        list.leave()
        val settings = follow(list.get(), SettingsActivity::class.java)
        settings.get().views.filterIsInstance<android.widget.CheckBox>().single { it.text == texts.volunteerMode }.performClick()
        click(settings.get(), texts.save)
        assertTrue(settings.get().isFinishing)
        list.back()

        click(list.get(), texts.newReport)
        list.leave()
        val editor = follow(list.get(), EditorActivity::class.java).get()
        assertTrue(editor.shown, editor.shown.contains(texts.filingFor))
        chooseCategory(editor, "den_duong")
        type(editor, texts.descriptionHint, "Đèn đường trước nhà văn hoá thôn 3 không sáng")
        type(editor, texts.address, "Thôn 3, xã Tràng Sơn")
        type(editor, texts.theirName, "Bà Nguyễn Thị Lan")
        type(editor, texts.theirPhone, "0912345678")
        afterTyping()
        // Without consent the core refuses, in words.
        click(editor, texts.send)
        waitFor("the refusal") { editor.shown.contains("đồng ý") }
        assertFalse(editor.isFinishing)
        editor.views.filterIsInstance<android.widget.CheckBox>().single { it.text == texts.theirConsent }.performClick()
        afterTyping()
        click(editor, texts.send)
        waitFor("the editor to close") { editor.isFinishing }
        // The hand-off screen, filled in once the sync brings the code.
        val handoff = follow(editor, DetailActivity::class.java)
        assertTrue(handoff.get().shown, handoff.get().shown.contains(texts.codeAfterSync) || handoff.get().shown.contains(texts.handOver))
        list.back()
        waitFor("the code") { list.get().shown.contains("DL-") }
        handoff.leave().back()
        assertTrue(handoff.get().shown, handoff.get().shown.contains(texts.handOver))
    }

    @Test
    fun settingsChangeTheLanguageAtOnceAndRefuseABadServerAddress() {
        val list = launch(ReportsActivity::class.java)
        assertEquals("Phản ánh của tôi", list.get().title)
        click(list.get(), texts.settings)
        list.leave()
        val settings = follow(list.get(), SettingsActivity::class.java).get()
        val server = settings.views.filterIsInstance<android.widget.EditText>().single { it.text.startsWith("http") }
        assertEquals(TestServer.url, server.text.toString())
        server.setText("không phải địa chỉ")
        click(settings, texts.save)
        assertFalse("a bad address keeps the screen open", settings.isFinishing)
        assertNotEquals(null, ShadowToast.getTextOfLatestToast())
        server.setText(TestServer.url)
        settings.views.filterIsInstance<RadioButton>().single { it.text == "English" }.performClick()
        click(settings, texts.save)
        assertTrue(settings.isFinishing)
        list.back()
        assertEquals("My reports", list.get().title)
        click(list.get(), "Settings")
        list.leave()
        val again = follow(list.get(), SettingsActivity::class.java).get()
        assertTrue(again.shown, Regex("of data used this month").containsMatchIn(again.shown))
        assertTrue(list.get().shown, list.get().shown.contains("New report"))
        assertTrue(list.get().hasButton("Settings"))
    }

    @Test
    fun startedOfflineTheReportWaitsAndLeavesOnTheNextJobRunOnline() {
        // Categories were fetched once (they are cached for offline use).
        kotlinx.coroutines.runBlocking { app.core().refreshCategories() }
        val list = launch(ReportsActivity::class.java)
        setNetwork(online = false)

        click(list.get(), texts.newReport)
        list.leave()
        val editor = follow(list.get(), EditorActivity::class.java).get()
        chooseCategory(editor, "cay_do")
        type(editor, texts.descriptionHint, "Cây đổ chắn ngang đường vào thôn 5")
        type(editor, texts.address, "Thôn 5, xã Bài Sơn")
        afterTyping()
        click(editor, texts.send)
        waitFor("the editor to close") { editor.isFinishing }
        list.back()
        val waiting = app.core().listReports(vn.phananh.core.model.ListFilter(search = null, limit = 1u, offset = 0u)).items.single()
        assertEquals(ReportState.QUEUED, waiting.state)
        // "Offline — will send when you are online (1)"
        assertTrue(list.get().shown, list.get().shown.contains("${texts.syncOffline} (1)"))
        assertTrue(list.get().shown, list.get().shown.contains(waiting.stateLabel))
        list.leave()

        // Online again: the job the send scheduled runs and the outbox empties.
        setNetwork(online = true)
        assertFalse("nothing left to retry", runSyncJob(2))
        assertEquals(ReportState.SENT, app.core().getReport(waiting.id).state)
        list.back()
        assertTrue(list.get().shown, list.get().shown.contains(texts.syncDone))
        assertTrue(list.get().shown, Regex("DL-[0-9A-Z]+").containsMatchIn(list.get().shown))
    }
}
