package vn.phananh.app.state

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import vn.phananh.core.model.DraftFields
import vn.phananh.core.model.Language
import vn.phananh.core.model.ListFilter
import vn.phananh.core.model.ReportState

class MappersTest {
    @Test
    fun everyStateHasABadge() {
        val badges = ReportState.entries.associateWith { badgeOf(it) }
        assertEquals(Badge.DRAFT, badges[ReportState.DRAFT])
        assertEquals(Badge.WAITING, badges[ReportState.QUEUED])
        assertEquals(Badge.WAITING, badges[ReportState.SENDING])
        assertEquals(Badge.SENT, badges[ReportState.SENT])
        assertEquals(Badge.ATTENTION, badges[ReportState.NEEDS_ATTENTION])
    }

    @Test
    fun aRowShowsTheCoresLabelsAndTheReasonBeforeTheReply() {
        offlineCore(Language.EN).use { core ->
            core.createDraft(DraftFields(description = "Đèn đường hỏng"))
            val row = core.listReports(ListFilter()).items.single()
            val item = row.toItem(core.texts())
            // No category yet: the list says so, in the core's words.
            assertEquals(core.texts().chooseCategory, item.title)
            assertEquals(Badge.DRAFT, item.badge)
            assertEquals(row.stateLabel, item.stateLabel)
            assertEquals("Đèn đường hỏng", item.description)
            assertNull(item.note)

            val replied = row.copy(state = ReportState.SENT, lastReply = "Đã sửa", categoryName = "Đèn đường")
            assertEquals("Đã sửa", replied.toItem(core.texts()).note)
            assertEquals("Đèn đường", replied.toItem(core.texts()).title)
            val stuck = replied.copy(state = ReportState.NEEDS_ATTENTION, attentionReason = "Số điện thoại sai")
            assertEquals("Số điện thoại sai", stuck.toItem(core.texts()).note)
            assertEquals(Badge.ATTENTION, stuck.toItem(core.texts()).badge)
        }
    }

    @Test
    fun labelsSwitchLanguageWithTheCore() {
        offlineCore(Language.VI).use { core ->
            assertEquals("Phản ánh của tôi", core.texts().myReports)
            core.setLanguage(Language.EN)
            assertEquals("My reports", core.texts().myReports)
            assertTrue(core.accuracyLabel(7.6).startsWith("±8"))
        }
    }
}
