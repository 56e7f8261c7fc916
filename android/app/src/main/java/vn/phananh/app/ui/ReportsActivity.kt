package vn.phananh.app.ui

import android.content.Intent
import android.os.Bundle
import android.view.View
import android.view.ViewGroup
import android.widget.AbsListView
import android.widget.BaseAdapter
import android.widget.ImageView
import android.widget.LinearLayout
import android.widget.ListView
import android.widget.TextView
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import vn.phananh.app.platform.Notifier
import vn.phananh.app.state.Badge
import vn.phananh.app.state.ReportItem
import vn.phananh.app.state.ReportListModel
import vn.phananh.app.state.attempt
import vn.phananh.core.PhanAnhException

/**
 * "My reports": drafts, waiting, sent (with code and status), needing
 * attention; a sync line. The rows are a recycled list: a volunteer's
 * thousands of reports cost a screenful of views, and pages load as the
 * list nears its end.
 */
class ReportsActivity : Screen() {
    private val scope = MainScope()
    private lateinit var list: ReportListModel
    private val refresh: () -> Unit = { render() }
    private var search: String? = null
    private lateinit var header: Header
    private lateinit var rows: ListView
    private val rowAdapter = Rows()

    override fun onReady(savedInstanceState: Bundle?) {
        list = ReportListModel(app.core())
        header = Header()
        rows = ListView(this).apply {
            addHeaderView(header.root, null, false)
            adapter = rowAdapter
            divider = null
            setOnItemClickListener { _, _, position, _ -> open(rowAdapter.getItem(position - headerViewsCount)) }
            setOnScrollListener(object : AbsListView.OnScrollListener {
                override fun onScrollStateChanged(view: AbsListView?, scrollState: Int) {}
                override fun onScroll(view: AbsListView?, first: Int, visible: Int, total: Int) {
                    // Within a screenful of the end: the next page.
                    if (list.hasMore && first + visible >= total - visible) {
                        list.loadMore()
                        rowAdapter.notifyDataSetChanged()
                    }
                }
            })
        }
        setContentView(rows)
    }

    override fun onShown() {
        if (app.askForNotifications) {
            app.askForNotifications = false
            Notifier.askIfNeeded(this)
        }
        app.watch(refresh)
        app.startLiveSync()
        render()
    }

    override fun onHidden() {
        app.unwatch(refresh)
        app.stopLiveSync()
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    /** The part above the rows, built once (the search field keeps its focus), relabelled by [render]. */
    private inner class Header {
        val root = column()
        val title = root.text("", 22f, bold = true)
        val syncLine = row().also { root.addView(it) }
        val status = TextView(this@ReportsActivity).apply { textSize = 16f }.also {
            syncLine.addView(it, LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
        }
        val syncNow = syncLine.button("") { syncNow() }
        val search = root.field("", null)
        /** The search field's visible name (the view just above it). */
        val searchCaption = root.getChildAt(root.indexOfChild(search) - 1) as TextView
        val newReport = root.button("") { startActivity(Intent(this@ReportsActivity, EditorActivity::class.java)) }
        val following = root.button("") { startActivity(Intent(this@ReportsActivity, FollowingActivity::class.java)) }
        val settings = root.button("") { startActivity(Intent(this@ReportsActivity, SettingsActivity::class.java)) }
        val empty = root.text("")

        init {
            search.onPause { q ->
                if (q != (this@ReportsActivity.search ?: "")) {
                    this@ReportsActivity.search = q
                    render()
                }
            }
        }
    }

    private fun syncNow() {
        val core = app.core()
        scope.launch {
            try {
                core.syncOnce()
            } catch (e: PhanAnhException) {
                // The sync line already says offline; nothing was lost.
            }
            render()
        }
    }

    private fun render() {
        val t = app.texts()
        list.refresh(search)
        val sync = attempt { app.core().syncStatus() }.getOrNull()
        title = t.myReports
        with(header) {
            title.text = t.myReports
            status.text = sync?.text ?: ""
            status.setTextColor(if (sync?.offline == true) palette.warning else palette.secondary)
            syncNow.text = t.syncNow
            syncNow.visibility = if (sync != null && sync.waiting > 0u && !sync.busy) View.VISIBLE else View.GONE
            searchCaption.text = t.search
            newReport.text = t.newReport
            following.text = t.following
            settings.text = t.settings
            empty.text = if (search.text.isBlank()) t.noReports else t.noMatches
            empty.visibility = if (list.items.isEmpty()) View.VISIBLE else View.GONE
        }
        rowAdapter.notifyDataSetChanged()
    }

    private fun open(item: ReportItem) {
        val target = when (item.badge) {
            Badge.DRAFT, Badge.ATTENTION -> EditorActivity::class.java
            Badge.WAITING, Badge.SENT -> DetailActivity::class.java
        }
        startActivity(Intent(this, target).putExtra(EXTRA_ID, item.id))
    }

    /** The rows, built once per visible slot and refilled as the list scrolls. */
    private inner class Rows : BaseAdapter() {
        /** Row views built so far (the tests check it stays near a screenful). */
        var built = 0
            private set

        override fun getCount(): Int = if (::list.isInitialized) list.items.size else 0
        override fun getItem(position: Int): ReportItem = list.items[position]
        override fun getItemId(position: Int): Long = position.toLong()

        override fun getView(position: Int, convertView: View?, parent: ViewGroup): View {
            val holder = (convertView?.tag as? Holder) ?: Holder().also { built++ }
            holder.fill(getItem(position))
            return holder.root
        }
    }

    private inner class Holder {
        val root = row().apply { setPadding(dp(16), dp(8), dp(16), dp(8)); minimumHeight = dp(TOUCH_DP); tag = this@Holder }
        val thumbnail: ImageView = root.thumbnail(null, "", 56)
        val body = column(8).also { root.addView(it, LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f)) }
        val title = body.text("", bold = true)
        // The resident's own words tell drafts apart (two lines at most).
        val words = body.text("", 14f).apply {
            maxLines = 2
            ellipsize = android.text.TextUtils.TruncateAt.END
        }
        val state = body.text("", 14f)
        val note = body.text("", 14f)
        val updated = body.text("", 14f)
        private var shownThumbnail: String? = null

        fun fill(item: ReportItem) {
            val t = app.texts()
            if (item.thumbnailPath != shownThumbnail) {
                shownThumbnail = item.thumbnailPath
                thumbnail.setImageBitmap(item.thumbnailPath?.let { decodeThumbnail(it) })
            }
            thumbnail.visibility = if (item.thumbnailPath == null) View.INVISIBLE else View.VISIBLE
            thumbnail.contentDescription = t.photos
            title.text = item.title
            words.text = item.description
            words.visibility = if (item.description.isBlank()) View.GONE else View.VISIBLE
            state.text = listOfNotNull(item.stateLabel, item.trackingCode, item.statusLabel).joinToString(" · ")
            state.setTextColor(colorOf(item.badge))
            note.text = item.note ?: ""
            note.visibility = if (item.note == null) View.GONE else View.VISIBLE
            updated.text = item.updated
            updated.setTextColor(palette.secondary)
        }
    }

    private fun decodeThumbnail(path: String) =
        android.graphics.BitmapFactory.decodeFile(path, android.graphics.BitmapFactory.Options().apply { inSampleSize = 2 })

    private fun colorOf(badge: Badge): Int = when (badge) {
        Badge.DRAFT -> palette.secondary
        Badge.WAITING -> palette.waiting
        Badge.SENT -> palette.done
        Badge.ATTENTION -> palette.error
    }

    /** Row views built so far (for the tests: the list recycles). */
    val rowsBuilt: Int get() = rowAdapter.built

    companion object {
        const val EXTRA_ID = "report_id"
    }
}
