package vn.phananh.app.ui

import android.app.Activity
import android.content.Intent
import android.graphics.Color
import android.os.Bundle
import android.widget.LinearLayout
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import vn.phananh.app.PhanAnhApp
import vn.phananh.app.platform.Notifier
import vn.phananh.app.state.Badge
import vn.phananh.app.state.ReportItem
import vn.phananh.app.state.ReportListModel
import vn.phananh.app.state.attempt
import vn.phananh.core.PhanAnhException

/** "My reports": drafts, waiting, sent (with code and status), needing attention; a sync line. */
class ReportsActivity : Activity() {
    private val app get() = application as PhanAnhApp
    private val scope = MainScope()
    private lateinit var list: ReportListModel
    private val refresh: () -> Unit = { render() }
    private var search: String? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        list = ReportListModel(app.core())
    }

    override fun onStart() {
        super.onStart()
        if (app.askForNotifications) {
            app.askForNotifications = false
            Notifier.askIfNeeded(this)
        }
        app.watch(refresh)
        app.startLiveSync()
        render()
    }

    override fun onStop() {
        app.unwatch(refresh)
        app.stopLiveSync()
        super.onStop()
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    private fun render() {
        val t = app.texts()
        val core = app.core()
        val items = list.refresh(search)
        val sync = attempt { core.syncStatus() }.getOrNull()
        title = t.myReports
        val root = column()
        root.text(t.myReports, 22f, bold = true)
        row().also { line ->
            root.addView(line)
            line.text(sync?.text ?: "").setTextColor(if (sync?.offline == true) Color.rgb(160, 90, 0) else Color.DKGRAY)
            if (sync != null && sync.waiting > 0u && !sync.busy) {
                line.button(t.syncNow) {
                    scope.launch {
                        try {
                            core.syncOnce()
                        } catch (e: PhanAnhException) {
                            // The sync line already says offline; nothing was lost.
                        }
                        render()
                    }
                }
            }
        }
        root.field("🔍", search).onPause { q ->
            if (q != (search ?: "")) {
                search = q
                render()
            }
        }
        root.button(t.newReport) { startActivity(Intent(this, EditorActivity::class.java)) }
        root.button(t.following) { startActivity(Intent(this, FollowingActivity::class.java)) }
        root.button(t.settings) { startActivity(Intent(this, SettingsActivity::class.java)) }
        if (items.isEmpty()) root.text(t.noReports)
        items.forEach { root.addView(rowFor(it)) }
        if (list.hasMore) root.button("…") { list.loadMore(); render() }
        screen(root)
    }

    private fun rowFor(item: ReportItem): LinearLayout {
        val row = row().apply { setPadding(0, dp(8), 0, dp(8)) }
        row.thumbnail(item.thumbnailPath, 56)
        val body = column(8)
        row.addView(body, LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
        body.text(item.title, bold = true)
        val state = listOfNotNull(item.stateLabel, item.trackingCode, item.statusLabel).joinToString(" · ")
        body.text(state, 14f).setTextColor(colorOf(item.badge))
        item.note?.let { body.text(it, 14f) }
        body.text(item.updated, 12f).setTextColor(Color.GRAY)
        row.setOnClickListener {
            val target = when (item.badge) {
                Badge.DRAFT, Badge.ATTENTION -> EditorActivity::class.java
                Badge.WAITING, Badge.SENT -> DetailActivity::class.java
            }
            startActivity(Intent(this, target).putExtra(EXTRA_ID, item.id))
        }
        return row
    }

    private fun colorOf(badge: Badge): Int = when (badge) {
        Badge.DRAFT -> Color.GRAY
        Badge.WAITING -> Color.rgb(30, 90, 160)
        Badge.SENT -> Color.rgb(20, 120, 60)
        Badge.ATTENTION -> Color.rgb(180, 30, 30)
    }

    companion object {
        const val EXTRA_ID = "report_id"
    }
}
