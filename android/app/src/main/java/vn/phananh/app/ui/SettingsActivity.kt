package vn.phananh.app.ui

import android.app.Activity
import android.os.Bundle
import android.widget.RadioButton
import android.widget.RadioGroup
import vn.phananh.app.PhanAnhApp
import vn.phananh.app.state.problem
import vn.phananh.core.model.Language

/** Language, the server address (for testers) and volunteer mode. */
class SettingsActivity : Activity() {
    private val app get() = application as PhanAnhApp

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val t = app.texts()
        val s = app.settings
        title = t.settings
        val root = column()
        root.text(t.settings, 22f, bold = true)
        root.text(t.language, bold = true)
        val group = RadioGroup(this)
        val vi = RadioButton(this).apply { text = "Tiếng Việt"; id = 1 }
        val en = RadioButton(this).apply { text = "English"; id = 2 }
        group.addView(vi)
        group.addView(en)
        group.check(if (s.language == Language.VI) 1 else 2)
        root.addView(group)
        var volunteer = s.volunteerMode
        root.check(t.volunteerMode, volunteer) { volunteer = it }
        root.text(t.serverUrl, bold = true)
        val server = root.field("http://10.0.2.2:8080", s.serverUrl)
        root.button(t.save) {
            val language = if (group.checkedRadioButtonId == 1) Language.VI else Language.EN
            val result = app.applySettings(s.copy(language = language, serverUrl = server.text.toString(), volunteerMode = volunteer))
            result.problem()?.let { toast(it.message) } ?: finish()
        }
        screen(root)
    }
}
