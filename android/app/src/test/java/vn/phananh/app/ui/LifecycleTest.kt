package vn.phananh.app.ui

import android.app.Activity
import android.net.Uri
import android.os.Bundle
import android.provider.MediaStore
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.robolectric.Robolectric
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import vn.phananh.core.model.ListFilter

/**
 * What cheap phones do to an app: turn it sideways, kill it behind the
 * camera, take it back. Nothing typed may be lost, not even the last
 * keystrokes before the rotation.
 */
class LifecycleTest : AppTest() {
    private fun drafts() = app.core().listReports(ListFilter(search = null, limit = 10u, offset = 0u)).items

    @Test
    fun rotatingWhileTypingKeepsEveryLetter() {
        val editor = launch(EditorActivity::class.java)
        type(editor.get(), texts.descriptionHint, "Ống nước vỡ trước cổng trường tiểu học")
        // No pause after typing: the rotation comes mid-word.
        val before = editor.get()
        RuntimeEnvironment.setQualifiers("+land")
        editor.recreate()
        idle()
        val after = editor.get()
        assertNotEquals("a new activity after the rotation", before, after)
        assertEquals("Ống nước vỡ trước cổng trường tiểu học", after.field(texts.descriptionHint).text.toString())
        // The same draft, not a second one.
        assertEquals(1, drafts().size)
        assertEquals("Ống nước vỡ trước cổng trường tiểu học", drafts().single().description)
    }

    @Test
    fun theProcessDyingBehindTheCameraLosesNeitherTextNorPhoto() {
        val editor = launch(EditorActivity::class.java)
        val first = editor.get()
        type(first, texts.descriptionHint, "Rác thải đổ bừa bãi cạnh kênh N2")
        click(first, texts.takePhoto)
        val capture = started(first)
        @Suppress("DEPRECATION")
        val output = capture.getParcelableExtra<Uri>(MediaStore.EXTRA_OUTPUT)!!

        // The system saves the screen's state, stops it, and kills the process.
        val saved = Bundle()
        editor.pause().saveInstanceState(saved).stop().destroy()
        app.closeCore()

        // The camera app finishes writing while we are dead.
        photo().copyTo(java.io.File(app.cameraDir(), output.lastPathSegment!!))

        // A new process: the activity is rebuilt from its saved state, and the
        // camera's answer arrives before the core has finished opening.
        val again = Robolectric.buildActivity(EditorActivity::class.java).create(saved).start()
        val second = again.get()
        shadowOf(second).receiveResult(capture, Activity.RESULT_OK, null)
        again.postCreate(saved).resume().visible()
        // The core reopens on its own thread and the screen draws when it
        // is ready: wait for that, not for a fixed number of looper turns
        // (CI once caught the screen a turn early).
        waitFor("the editor to show the draft again") {
            runCatching { second.field(texts.descriptionHint).text.toString() }.getOrNull() ==
                "Rác thải đổ bừa bãi cạnh kênh N2" &&
                second.views.any { it.contentDescription == "${texts.photos} 1" }
        }
        assertEquals("Rác thải đổ bừa bãi cạnh kênh N2", second.field(texts.descriptionHint).text.toString())
        assertTrue(second.shown, second.views.any { it.contentDescription == "${texts.photos} 1" })
        val draft = drafts().single()
        assertEquals(1, draft.photoCount.toInt())
        assertEquals("Rác thải đổ bừa bãi cạnh kênh N2", draft.description)
    }

    @Test
    fun backFromTheEditorKeepsTheDraftAndAnEmptyOneIsNotLeftBehind() {
        val list = launch(ReportsActivity::class.java)
        // Opened and left untouched: nothing is kept.
        val empty = launch(EditorActivity::class.java)
        pressBack(empty.get())
        empty.pause().stop().destroy()
        assertTrue(empty.get().isFinishing)
        assertEquals(0, drafts().size)
        // Typed in, then back: the draft is on the list.
        val editor = launch(EditorActivity::class.java)
        type(editor.get(), texts.descriptionHint, "Cống thoát nước bị tắc ở xóm Đông")
        pressBack(editor.get())
        editor.pause().stop().destroy()
        list.pause().stop().restart().resume().visible()
        assertEquals(1, drafts().size)
        waitFor("the list to show the draft") { list.get().shown.contains("Cống thoát nước") }
        assertTrue(list.get().shown, list.get().shown.contains("Cống thoát nước bị tắc ở xóm Đông"))
        assertEquals(1, drafts().size)
    }
}
