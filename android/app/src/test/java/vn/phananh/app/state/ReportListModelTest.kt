package vn.phananh.app.state

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import vn.phananh.core.model.DraftFields

class ReportListModelTest {
    @Test
    fun pagesAndSearchesWithoutAccents() {
        offlineCore().use { core ->
            listOf("Ổ gà trước chợ", "Đèn đường hỏng ở ngã ba", "Rác thải bờ sông", "Ổ gà cầu Đò").forEach {
                core.createDraft(DraftFields(description = it))
            }
            val list = ReportListModel(core, pageSize = 3u)
            assertEquals(3, list.refresh().size)
            assertTrue(list.hasMore)
            assertEquals(4, list.loadMore().size)
            assertFalse(list.hasMore)

            // Every word must appear somewhere, accents and case ignored.
            assertEquals(listOf("Ổ gà cầu Đò"), list.refresh("GA cau").map { it.description })
            assertEquals(listOf("Ổ gà trước chợ"), list.refresh("truoc cho").map { it.description })
            assertEquals(listOf("Đèn đường hỏng ở ngã ba"), list.refresh("den duong").map { it.description })
            assertTrue(list.refresh("ngập").isEmpty())
            assertEquals(3, list.refresh("").size, "an empty search is no search: the first page again")
            assertTrue(list.hasMore)
        }
    }
}
