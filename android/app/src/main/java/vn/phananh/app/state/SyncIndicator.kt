package vn.phananh.app.state

import vn.phananh.core.SyncEvent
import vn.phananh.core.UiTexts

/** The line under the title of "my reports". */
data class SyncLine(val text: String, val busy: Boolean, val offline: Boolean)

/**
 * Follows the core's sync events (from any thread) and says, in one line,
 * what the outbox is doing.
 */
class SyncIndicator {
    @Volatile private var sending = false
    @Volatile private var online = true
    @Volatile private var lastPassOffline = false
    @Volatile private var progress: Pair<ULong, ULong>? = null

    fun onEvent(event: SyncEvent) {
        when (event) {
            is SyncEvent.Sending -> sending = true
            is SyncEvent.PhotoProgress -> {
                sending = true
                progress = event.sent to event.total
            }
            is SyncEvent.PassFinished -> {
                sending = false
                progress = null
                lastPassOffline = event.summary.offline
            }
            else -> {}
        }
    }

    fun setOnline(value: Boolean) {
        online = value
        if (value) lastPassOffline = false
    }

    /** The line for [waiting] reports still in the outbox. */
    fun line(texts: UiTexts, waiting: Int): SyncLine {
        val offline = !online || lastPassOffline
        return when {
            sending -> {
                val pct = progress?.let { (sent, total) -> if (total > 0u) " ${(sent * 100u / total)}%" else "" } ?: ""
                SyncLine(texts.syncSending + pct, busy = true, offline = false)
            }
            waiting > 0 && offline -> SyncLine("${texts.syncOffline} ($waiting)", busy = false, offline = true)
            waiting > 0 -> SyncLine("${texts.syncWaiting} ($waiting)", busy = false, offline = false)
            else -> SyncLine(texts.syncDone, busy = false, offline = offline)
        }
    }
}
