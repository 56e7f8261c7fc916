package vn.phananh.app.state

import vn.phananh.core.Language
import vn.phananh.core.PhanAnhException
import vn.phananh.core.languageForLocale
import vn.phananh.core.normalizeServerUrl

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
        language = when (store.get(LANGUAGE)) {
            "vi" -> Language.VI
            "en" -> Language.EN
            else -> languageForLocale(deviceLanguage)
        },
        serverUrl = store.get(SERVER)?.takeIf { it.isNotBlank() } ?: defaultServer,
        volunteerMode = store.get(VOLUNTEER) == "1",
    )

    /**
     * Save; returns what was stored (the address as the core writes it; an
     * empty one is the default), or the core's message for an address that
     * is not one, with nothing stored.
     */
    fun save(settings: Settings): Result<Settings> {
        val url = try {
            normalizeServerUrl(settings.serverUrl.ifBlank { defaultServer }, settings.language)
        } catch (e: PhanAnhException) {
            return Result.failure(ProblemException(e.toProblem()))
        }
        store.put(LANGUAGE, if (settings.language == Language.VI) "vi" else "en")
        store.put(SERVER, url)
        store.put(VOLUNTEER, if (settings.volunteerMode) "1" else "0")
        return Result.success(settings.copy(serverUrl = url))
    }

    /** Whether changing to [next] needs the core reopened (a new server). */
    fun needsReopen(current: Settings, next: Settings): Boolean = current.serverUrl != next.serverUrl

    private companion object {
        const val LANGUAGE = "language"
        const val SERVER = "server_url"
        const val VOLUNTEER = "volunteer_mode"
    }
}
