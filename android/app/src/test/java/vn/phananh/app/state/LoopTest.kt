package vn.phananh.app.state

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import vn.phananh.core.model.DraftFields
import vn.phananh.core.model.Language
import vn.phananh.core.model.NotificationView
import vn.phananh.core.model.RatingScore

class LoopTest {
    @Test
    fun theDetailOffersWhatTheCoreAllowsInItsWords() {
        offlineCore(Language.VI).use { core ->
            val t = core.texts()
            val draft = core.createDraft(DraftFields(description = "Ổ gà"))
            // A draft: nothing to rate or reopen (the core says so).
            val none = feedbackOf(draft, t)
            assertTrue(none.scores.isEmpty())
            assertNull(none.reopenLabel)
            // As the core would describe a resolved report of a volunteer's.
            val answered = draft.copy(canRate = true, canRateForNeighbour = true, canReopen = true, reopenLabel = t.reopen)
            val ui = feedbackOf(answered, t)
            assertEquals(listOf(RatingScore.SATISFIED, RatingScore.ACCEPTABLE, RatingScore.NOT_SATISFIED), ui.scores.map { it.first })
            assertEquals(listOf("Hài lòng", "Chấp nhận", "Không hài lòng"), ui.scores.map { it.second })
            assertTrue(ui.forNeighbour)
            assertEquals("Chưa được khắc phục — mở lại", ui.reopenLabel)
            // Past the window the label stays unused.
            assertNull(feedbackOf(answered.copy(canReopen = false), t).reopenLabel)
        }
    }

    @Test
    fun theCoreRefusesARatingOfADraftInTheUsersLanguage() {
        offlineCore(Language.EN).use { core ->
            val draft = core.createDraft(DraftFields(description = "Pothole"))
            val problem = attempt { core.rate(draft.id, RatingScore.SATISFIED, null, false) }.problem()
            assertEquals("The report has not reached the district yet", problem?.message)
            val follow = attempt { core.follow("not a code", false, emptyList()) }.problem()
            assertTrue(follow?.message?.contains("tracking code") == true, follow?.message)
            // Queued offline: a follow waits like a report.
            val queued = core.follow("dl-7k3m9q", true, emptyList())
            assertEquals("DL-7K3M9Q", queued.trackingCode)
            assertTrue(queued.meToo)
            assertEquals(listOf("DL-7K3M9Q"), core.following().map { it.trackingCode })
        }
    }

    @Test
    fun aNotificationOpensItsReportOrTheFollowedList() {
        val own = NotificationView("r:1", 7, "Phản ánh DL-1: Đã giải quyết", "Đã vá", "0190-id", "DL-1", "vn.phananh.reports")
        assertEquals(Destination.Report("0190-id"), destinationOf(own))
        assertEquals(Destination.Following, destinationOf(own.copy(reportId = null)))
    }

    @Test
    fun thePermissionIsAskedOnlyOnAndroid13AtAMomentThatMatters() {
        assertTrue(shouldAskForNotifications(33, granted = false, momentThatMatters = true))
        assertFalse(shouldAskForNotifications(33, granted = true, momentThatMatters = true))
        assertFalse(shouldAskForNotifications(32, granted = false, momentThatMatters = true))
        assertFalse(shouldAskForNotifications(34, granted = false, momentThatMatters = false))
    }
}
