package vn.phananh.app.ui

import android.content.Intent
import android.os.Bundle
import vn.phananh.app.platform.PhotoPicks
import vn.phananh.app.platform.SyncJobService
import vn.phananh.app.state.attempt
import vn.phananh.app.state.feedbackOf
import vn.phananh.app.state.handoffOf
import vn.phananh.app.state.problem
import vn.phananh.app.state.shareTextOf
import vn.phananh.core.model.ReportState

/** One report: tracking code, status history with official replies, photos, share. */
class DetailActivity : Screen() {
    private val refresh: () -> Unit = { render() }
    private val picks = PhotoPicks(this)
    private var reasonText = ""

    override fun onReady(savedInstanceState: Bundle?) {}

    override fun onShown() {
        app.watch(refresh)
        render()
    }

    override fun onHidden() {
        app.unwatch(refresh)
    }

    private fun render() {
        val t = app.texts()
        val id = intent.getStringExtra(ReportsActivity.EXTRA_ID) ?: return finish()
        val result = attempt { app.core().getReport(id) }
        val report = result.getOrNull() ?: run {
            toast(result.problem()?.message ?: "")
            return finish()
        }
        val root = column()
        root.text(report.categoryName ?: t.chooseCategory, 20f, bold = true)
        root.text(t.trackingCode, 14f)
        root.text(report.trackingCode ?: "—", 30f, bold = true)
        if (intent.getBooleanExtra(EXTRA_HANDOFF, false)) {
            // Filed for a neighbour: what to hand over (the code alone until the sync brings it).
            root.text(handoffOf(report, t).text)
        } else if (report.trackingCode == null) {
            root.text(t.codeAfterSync, 14f)
        }
        root.text(listOfNotNull(report.stateLabel, report.statusLabel).joinToString(" · "))
        // "Đơn vị xử lý: UBND xã Tràng Sơn · Hạn xử lý: 17:00 04/12/2026", written by the core.
        report.handlingLine?.let { root.text(it) }
        report.attentionReason?.let { root.text(it).setTextColor(palette.error) }
        if (report.state == ReportState.NEEDS_ATTENTION) {
            root.button(t.retry) {
                attempt { app.core().retry(report.id) }.problem()?.let { toast(it.message) }
                render()
            }
        }
        root.text(report.description)
        report.address?.let { root.text(it, 14f) }
        // "Đã dùng 2,4 MB dữ liệu", for prepaid plans.
        report.dataUsedLabel?.let { root.text(it, 14f).setTextColor(palette.secondary) }
        row().also { photos ->
            root.addView(photos)
            report.photos.forEachIndexed { i, photo ->
                photos.thumbnail(photo.thumbnailPath ?: photo.path, "${t.photos} ${i + 1}", 96)
            }
        }
        root.text(t.history, 18f, bold = true)
        report.history.forEach { h ->
            root.text("${h.statusLabel} — ${h.atRelative}", bold = true)
            h.reply?.let { reply ->
                root.text(t.officialReply, 14f).setTextColor(palette.secondary)
                root.text(reply)
            }
        }
        feedback(root, report)
        shareTextOf(report, t)?.let { text ->
            root.button(t.share) {
                val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, text)
                startActivity(Intent.createChooser(send, t.share))
            }
        }
        title = report.trackingCode ?: t.appName
        screen(root)
    }

    /** After the answer: rate it, or say it is not fixed (the core decides which is possible). */
    private fun feedback(root: android.widget.LinearLayout, report: vn.phananh.core.model.ReportView) {
        val t = app.texts()
        val ui = feedbackOf(report, t)
        ui.ratingLine?.let { root.text(it) }
        ui.reopenLine?.let { root.text(it) }
        if (ui.scores.isNotEmpty()) {
            root.text(t.rateAnswer, 18f, bold = true)
            val comment = root.field(t.ratingComment, null, multiline = true)
            var forNeighbour = false
            if (ui.forNeighbour) root.check(t.rateForNeighbour, false) { forNeighbour = it }
            ui.scores.forEach { (score, label) ->
                root.button(label) {
                    val words = comment.text.toString().ifBlank { null }
                    attempt { app.core().rate(report.id, score, words, forNeighbour) }.problem()?.let { toast(it.message) }
                    SyncJobService.runSoon(this)
                    render()
                }
            }
        }
        ui.reopenLabel?.let { label ->
            val reason = root.field(t.reopenReason, reasonText, multiline = true)
            reason.onPause { reasonText = it }
            // Optional new photos, by the camera or the gallery.
            if (picks.paths.isNotEmpty()) root.text("${t.photos}: ${picks.paths.size}", 14f)
            root.buttonRow().also { buttons ->
                buttons.button(t.takePhoto) { reasonText = reason.text.toString(); picks.camera() }
                buttons.button(t.choosePhoto) { reasonText = reason.text.toString(); picks.gallery() }
            }
            root.button(label) {
                val result = attempt { app.core().reopen(report.id, reason.text.toString(), picks.paths.toList()) }
                result.problem()?.let { toast(it.message) } ?: run {
                    picks.clear()
                    reasonText = ""
                }
                SyncJobService.runSoon(this)
                render()
            }
        }
    }

    @Deprecated("Activity result API needs AndroidX; the framework's is enough here")
    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        if (picks.onResult(requestCode, resultCode, data) && ready) render()
    }

    companion object {
        /** Opened right after sending in volunteer mode. */
        const val EXTRA_HANDOFF = "handoff"
    }
}
