package vn.phananh.app.platform

import android.content.Context
import vn.phananh.app.state.SettingsStore

/** Settings in SharedPreferences. */
class Prefs(context: Context) : SettingsStore {
    private val prefs = context.getSharedPreferences("settings", Context.MODE_PRIVATE)
    override fun get(key: String): String? = prefs.getString(key, null)
    override fun put(key: String, value: String?) {
        prefs.edit().putString(key, value).apply()
    }
}
