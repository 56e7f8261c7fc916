package vn.phananh.app.ui

import android.os.Bundle
import vn.phananh.app.platform.Notifier
import vn.phananh.app.platform.PhotoPicks
import vn.phananh.app.platform.SyncJobService
import vn.phananh.app.state.attempt
import vn.phananh.app.state.followedLine
import vn.phananh.app.state.problem

/**
 * Reports the resident follows ("Quan tâm"), and a field to follow one by
 * its tracking code (a neighbour's, read out or shared); "I see it too"
 * adds weight in the district's queue. Never shows who reported.
 */
class FollowingActivity : Screen() {
    private val refresh: () -> Unit = { render() }
    private val picks = PhotoPicks(this)
    private var codeText: String? = null

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
        val root = column()
        root.text(t.following, 20f, bold = true)
        val code = root.field(t.enterCode, codeText ?: intent.getStringExtra(EXTRA_CODE))
        code.onPause { codeText = it }
        val follow = { meToo: Boolean ->
            val result = attempt { app.core().follow(code.text.toString(), meToo, picks.paths.toList()) }
            result.problem()?.let { toast(it.message) } ?: run {
                picks.clear()
                SyncJobService.runSoon(this)
                Notifier.askIfNeeded(this)
            }
            render()
        }
        // "I see it too", optionally with a photo (only the district's staff see it).
        if (picks.paths.isNotEmpty()) root.text("${t.photos}: ${picks.paths.size}", 14f)
        root.buttonRow().also { buttons ->
            buttons.button(t.takePhoto) { codeText = code.text.toString(); picks.camera() }
            buttons.button(t.choosePhoto) { codeText = code.text.toString(); picks.gallery() }
        }
        root.buttonRow().also { buttons ->
            buttons.button(t.follow) { follow(false) }
            buttons.button(t.meToo) { follow(true) }
        }
        val list = attempt { app.core().following() }.getOrNull().orEmpty()
        list.forEach { f ->
            root.text(followedLine(f), bold = true)
            f.handlingLine?.let { root.text(it, 14f) }
            f.followersLabel?.let { root.text(it, 14f) }
            if (f.refused) root.text(f.stateLabel).setTextColor(palette.error)
            f.lastReply?.let { reply ->
                root.text(t.officialReply, 14f).setTextColor(palette.secondary)
                root.text(reply)
            }
        }
        title = t.following
        screen(root)
    }

    @Deprecated("Activity result API needs AndroidX; the framework's is enough here")
    override fun onActivityResult(requestCode: Int, resultCode: Int, data: android.content.Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        if (picks.onResult(requestCode, resultCode, data) && ready) render()
    }

    companion object {
        /** A tracking code to fill in (from a duplicate hint). */
        const val EXTRA_CODE = "code"
    }
}
