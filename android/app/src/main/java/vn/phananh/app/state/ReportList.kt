package vn.phananh.app.state

import vn.phananh.core.model.ListFilter
import vn.phananh.core.PhanAnh
import vn.phananh.core.model.ReportRow
import vn.phananh.core.model.ReportState
import vn.phananh.core.model.UiTexts

/** How a row is marked in the list. */
enum class Badge { DRAFT, WAITING, SENT, ATTENTION }

/** One row of "my reports", ready to show. */
data class ReportItem(
    val id: String,
    val title: String,
    val badge: Badge,
    val stateLabel: String,
    val trackingCode: String?,
    val statusLabel: String?,
    /** The reason it needs attention, else the district's last reply. */
    val note: String?,
    val description: String,
    val photoCount: Int,
    val thumbnailPath: String?,
    val updated: String,
)

fun badgeOf(state: ReportState): Badge = when (state) {
    ReportState.DRAFT -> Badge.DRAFT
    ReportState.QUEUED, ReportState.SENDING -> Badge.WAITING
    ReportState.SENT -> Badge.SENT
    ReportState.NEEDS_ATTENTION -> Badge.ATTENTION
}

/** A core row as the list shows it; every label already comes from the core. */
fun ReportRow.toItem(texts: UiTexts): ReportItem = ReportItem(
    id = id,
    title = categoryName ?: texts.chooseCategory,
    badge = badgeOf(state),
    stateLabel = stateLabel,
    trackingCode = trackingCode,
    statusLabel = statusLabel,
    note = attentionReason ?: lastReply,
    description = description,
    photoCount = photoCount.toInt(),
    thumbnailPath = thumbnailPath,
    updated = updatedRelative,
)

/** "My reports": pages of rows, with search (accents optional, done by the core). */
class ReportListModel(private val core: PhanAnh, private val pageSize: UInt = 30u) {
    var items: List<ReportItem> = emptyList()
        private set
    var hasMore: Boolean = false
        private set
    var problem: Problem? = null
        private set
    private var search: String? = null

    fun refresh(search: String? = this.search): List<ReportItem> {
        this.search = search?.trim()?.ifEmpty { null }
        load(offset = 0u, keep = emptyList())
        return items
    }

    fun loadMore(): List<ReportItem> {
        if (hasMore) load(offset = items.size.toUInt(), keep = items)
        return items
    }

    private fun load(offset: UInt, keep: List<ReportItem>) {
        val texts = core.texts()
        val result = attempt { core.listReports(ListFilter(search = search, limit = pageSize, offset = offset)) }
        result.onSuccess { page ->
            items = keep + page.items.map { it.toItem(texts) }
            hasMore = page.hasMore
            problem = null
        }
        problem = result.problem() ?: problem
    }
}
