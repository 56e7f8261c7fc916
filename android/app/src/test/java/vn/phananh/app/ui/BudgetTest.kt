package vn.phananh.app.ui

import android.content.Intent
import android.os.Looper
import android.widget.ListView
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.robolectric.Robolectric
import vn.phananh.core.model.DraftFields

/**
 * A low-end phone's budget, as far as the JVM can show it: the list builds
 * a screenful of rows however many reports there are, opening reports one
 * after another does not pile up memory, and the core opens off the main
 * thread. Figures are printed for docs/benchmarks.md; the assertions are
 * bounds that catch a leak or a list that stopped recycling, not timings.
 */
class BudgetTest : AppTest() {
    private fun drafts(n: Int): List<String> = (1..n).map {
        app.core().createDraft(DraftFields(description = "Phản ánh số $it: ổ gà trên đường liên thôn")).id
    }

    @Test
    fun tenThousandReportsScrollOnAScreenfulOfRows() {
        drafts(10_000)
        val list = launch(ReportsActivity::class.java).get()
        val rows = list.views.filterIsInstance<ListView>().single()
        // Scroll to the end the way a thumb would, a screenful at a time; pages load on the way.
        var guard = 0
        while (rows.lastVisiblePosition < rows.count - 1 && guard++ < 5_000) {
            rows.setSelection(rows.lastVisiblePosition + 1)
            idle()
        }
        assertEquals("every report reached", 10_000 + rows.headerViewsCount, rows.count)
        assertTrue(list.shown, list.shown.contains("Phản ánh số 1:"))
        val built = list.rowsBuilt
        println("BUDGET list: 10000 reports scrolled end to end with $built row views (${rows.childCount} on screen)")
        assertTrue("row views built: $built", built <= 30)
    }

    @Test
    fun openingFiveHundredReportsDoesNotPileUpMemory() {
        val ids = drafts(500)
        launch(ReportsActivity::class.java)
        // What is still reachable: collect until the figure stops falling
        // (objects with cleaners need a second cycle, and the cleaner thread
        // its turn on a busy machine).
        fun used(): Long {
            val rt = Runtime.getRuntime()
            var least = Long.MAX_VALUE
            repeat(10) {
                System.gc()
                Thread.sleep(100)
                least = minOf(least, rt.totalMemory() - rt.freeMemory())
            }
            return least
        }
        // Warm up (classes, caches), then measure over 500 more openings.
        ids.take(20).forEach { open(it) }
        val before = used()
        ids.forEach { open(it) }
        val after = used()
        val growth = (after - before) / 1_000_000.0
        println("BUDGET heap: ${"%.1f".format(before / 1e6)} MB before, ${"%.1f".format(after / 1e6)} MB after opening 500 reports (growth ${"%.1f".format(growth)} MB)")
        assertTrue("heap grew $growth MB over 500 reports", growth < 16.0)
    }

    private fun open(id: String) {
        val detail = Robolectric.buildActivity(DetailActivity::class.java, Intent(app, DetailActivity::class.java).putExtra(ReportsActivity.EXTRA_ID, id)).setup()
        idle()
        check(detail.get().shown.contains("Phản ánh số"))
        detail.pause().stop().destroy()
    }

    @Test
    fun theCoreOpensOffTheMainThreadAndTheFirstScreenWaitsForIt() {
        // Warm: classes loaded, as on a phone's second start; then a cold core, as after the process died.
        launch(ReportsActivity::class.java).pause().stop().destroy()
        app.closeCore()
        val start = System.nanoTime()
        val controller = Robolectric.buildActivity(ReportsActivity::class.java).setup()
        val onMain = (System.nanoTime() - start) / 1e6
        app.core()
        val ready = (System.nanoTime() - start) / 1e6
        idle()
        assertNotEquals("the core must not open on the main thread", Looper.getMainLooper().thread, app.openedOn)
        assertTrue(controller.get().shown.contains(texts.newReport))
        println("BUDGET startup: the first screen up in ${"%.1f".format(onMain)} ms on the main thread; the core open ${"%.1f".format(ready)} ms after, off it")
    }
}
