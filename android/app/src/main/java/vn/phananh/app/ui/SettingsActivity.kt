package vn.phananh.app.ui

import android.os.Bundle
import android.widget.RadioButton
import android.widget.RadioGroup
import vn.phananh.app.state.attempt
import vn.phananh.app.state.problem
import vn.phananh.core.model.Language

/** Language, the server address (for testers) and volunteer mode. */
class SettingsActivity : Screen() {
    override fun onReady(savedInstanceState: Bundle?) {
        val t = app.texts()
        val s = app.settings
        title = t.settings
        val root = column()
        root.text(t.settings, 22f, bold = true)
        root.text(t.language, bold = true)
        val group = RadioGroup(this)
        // Each language named in itself, so a user who cannot read the current one still finds theirs.
        val vi = RadioButton(this).apply { text = "Tiếng Việt"; id = 1; minHeight = dp(TOUCH_DP) }
        val en = RadioButton(this).apply { text = "English"; id = 2; minHeight = dp(TOUCH_DP) }
        group.addView(vi)
        group.addView(en)
        group.check(if (s.language == Language.VI) 1 else 2)
        root.addView(group)
        var volunteer = s.volunteerMode
        root.check(t.volunteerMode, volunteer) { volunteer = it }
        val server = root.field(t.serverUrl, s.serverUrl)
        // "Tháng này đã dùng 12,3 MB dữ liệu", for prepaid plans.
        attempt { app.core().dataUsedThisMonth() }.getOrNull()?.let { root.text(it, 14f).setTextColor(palette.secondary) }
        root.button(t.save) {
            val language = if (group.checkedRadioButtonId == 1) Language.VI else Language.EN
            val result = app.applySettings(s.copy(language = language, serverUrl = server.text.toString(), volunteerMode = volunteer))
            result.problem()?.let { toast(it.message) } ?: finish()
        }
        screen(root)
    }
}
