package vn.phananh.app.state

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import vn.phananh.core.model.Language
import vn.phananh.core.model.ListFilter
import vn.phananh.core.model.ReportState

class EditorModelTest {
    @Test
    fun aDraftIsSavedAsItIsWrittenAndReopens() {
        offlineCore().use { core ->
            val editor = EditorModel.create(core, volunteerMode = false).getOrThrow()
            assertTrue(editor.setDescription("Ổ gà sâu trước cổng trường tiểu học"))
            assertTrue(editor.setAddress("Thôn 3, xã Đà Sơn"))
            val again = EditorModel.open(core, editor.report.id).getOrThrow()
            assertEquals("Ổ gà sâu trước cổng trường tiểu học", again.report.description)
            assertEquals("Thôn 3, xã Đà Sơn", again.report.address)
            assertFalse(again.discardIfEmpty(), "a draft with text is kept")
            assertEquals(1, core.listReports(ListFilter()).items.size)
        }
    }

    @Test
    fun anUntouchedDraftIsNotKept() {
        offlineCore().use { core ->
            val editor = EditorModel.create(core, volunteerMode = false).getOrThrow()
            assertTrue(editor.discardIfEmpty())
            assertTrue(core.listReports(ListFilter()).items.isEmpty())
        }
    }

    @Test
    fun aPhotosPositionIsOnlyASuggestion() {
        offlineCore().use { core ->
            val editor = EditorModel.create(core, volunteerMode = false).getOrThrow()
            assertTrue(editor.attachPhoto(photo("HMD_Nokia_8.3_5G.jpg").path), editor.problem?.message)
            val photoView = editor.report.photos.single()
            assertTrue(photoView.sizeLabel.isNotBlank())
            assertNull(editor.report.location, "GPS from a photo is never applied by itself")
            assertNotNull(editor.suggestion)
            val suggested = editor.suggestion!!
            assertTrue(editor.acceptSuggestion())
            assertEquals(suggested.lat, editor.report.location!!.lat, 1e-9)
            assertNull(editor.suggestion)
            // A fix from the phone replaces it, with its accuracy shown.
            assertTrue(editor.setLocation(18.9, 105.3, 8.0))
            assertEquals("18.90000, 105.30000 ±8 m", editor.locationLine())
            assertTrue(editor.removePhoto(photoView.id))
            assertTrue(editor.report.photos.isEmpty())
        }
    }

    @Test
    fun aDamagedPhotoIsRefusedWithAMessage() {
        offlineCore().use { core ->
            val editor = EditorModel.create(core, volunteerMode = false).getOrThrow()
            assertFalse(editor.attachPhoto(ByteArray(100) { it.toByte() }))
            assertEquals("photos", editor.problem?.field)
            assertTrue(editor.problem!!.message.isNotBlank())
        }
    }

    @Test
    fun sendingChecksTheRulesInTheUsersLanguageThenQueues() {
        offlineCore(Language.VI).use { core ->
            val editor = EditorModel.create(core, volunteerMode = true).getOrThrow()
            assertTrue(editor.report.onBehalf, "volunteer mode files for a neighbour")
            assertFalse(editor.send())
            assertNotNull(editor.problem)
            val problem = editor.problem!!
            assertNotNull(problem.field)
            assertTrue(problem.message.any { it in "ảạáàãâấầẩậăắằặêếềểệôốồổộơớờởợưứừửựđ" }, problem.message)

            editor.setCategory("o_ga")
            editor.setDescription("Ổ gà lớn giữa đường liên xã")
            editor.setLocation(18.9, 105.3, 10.0)
            editor.setNeighbour("Bà Nguyễn Thị Lan", "0912 345 678", consent = true)
            assertTrue(editor.send(), editor.problem?.message)
            assertEquals(ReportState.QUEUED, editor.report.state)
            // The list's header comes from the core too.
            val status = core.syncStatus()
            assertEquals(1u, status.waiting)
            assertTrue(status.text.startsWith(core.texts().syncWaiting), status.text)
            assertFalse(editor.canSend)
            // Offline: no code yet, and the volunteer is told when it comes.
            val handoff = handoffOf(editor.report, core.texts())
            assertNull(handoff.trackingCode)
            assertEquals(core.texts().codeAfterSync, handoff.text)
            assertNull(shareTextOf(editor.report, core.texts()))
            // The duplicate check is a courtesy: offline it shows nothing and does not block.
            assertTrue(runBlocking { editor.checkNearby() }.isEmpty())
        }
    }
}
