package vn.phananh.app.state

import vn.phananh.core.Language

/** Where settings live (SharedPreferences on Android, a map in tests). */
interface SettingsStore {
    fun get(key: String): String?
    fun put(key: String, value: String?)
}

/** The user's settings. */
data class Settings(val language: Language, val serverUrl: String, val volunteerMode: Boolean)

/**
 * Loads and saves [Settings]. The language follows the device's until the
 * user picks one; the server address is for testers (an emulator reaches
 * the laptop's demo server at 10.0.2.2).
 */
class SettingsModel(
    private val store: SettingsStore,
    private val deviceLanguage: String,
    private val defaultServer: String,
) {
    fun load(): Settings = Settings(
        language = when (store.get(LANGUAGE) ?: deviceLanguage.lowercase().take(2)) {
            "vi" -> Language.VI
            else -> Language.EN
        },
        serverUrl = store.get(SERVER)?.takeIf { it.isNotBlank() } ?: defaultServer,
        volunteerMode = store.get(VOLUNTEER) == "1",
    )

    /** Save; returns what was stored (the address trimmed, without a trailing slash). */
    fun save(settings: Settings): Settings {
        val url = settings.serverUrl.trim().trimEnd('/').ifEmpty { defaultServer }
        store.put(LANGUAGE, if (settings.language == Language.VI) "vi" else "en")
        store.put(SERVER, url)
        store.put(VOLUNTEER, if (settings.volunteerMode) "1" else "0")
        return settings.copy(serverUrl = url)
    }

    /** Whether changing to [next] needs the core reopened (a new server). */
    fun needsReopen(current: Settings, next: Settings): Boolean = current.serverUrl != next.serverUrl

    private companion object {
        const val LANGUAGE = "language"
        const val SERVER = "server_url"
        const val VOLUNTEER = "volunteer_mode"
    }
}
