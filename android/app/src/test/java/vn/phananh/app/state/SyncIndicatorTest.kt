package vn.phananh.app.state

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import vn.phananh.core.Language
import vn.phananh.core.SyncEvent
import vn.phananh.core.SyncSummary

class SyncIndicatorTest {
    private fun summary(offline: Boolean) = SyncSummary(
        sent = 0u, photosSent = 0u, needsAttention = 0u, retrying = 0u, waiting = 1u, changes = 0u,
        offline = offline, nextAttemptAtMs = null,
    )

    @Test
    fun followsAPassFromSendingToDoneOrOffline() {
        offlineCore(Language.EN).use { core ->
            val t = core.texts()
            val sync = SyncIndicator()
            assertEquals(t.syncDone, sync.line(t, 0).text)
            assertEquals("${t.syncWaiting} (2)", sync.line(t, 2).text)

            sync.onEvent(SyncEvent.Sending("r1"))
            sync.onEvent(SyncEvent.PhotoProgress("r1", "p1", 50u, 200u))
            val sending = sync.line(t, 2)
            assertTrue(sending.busy)
            assertEquals("${t.syncSending} 25%", sending.text)

            sync.onEvent(SyncEvent.PassFinished(summary(offline = true)))
            val offline = sync.line(t, 2)
            assertFalse(offline.busy)
            assertTrue(offline.offline)
            assertEquals("${t.syncOffline} (2)", offline.text)

            // The network is back: no longer "offline", still waiting.
            sync.setOnline(true)
            assertEquals("${t.syncWaiting} (2)", sync.line(t, 2).text)
            sync.setOnline(false)
            assertTrue(sync.line(t, 0).offline)
        }
    }
}
