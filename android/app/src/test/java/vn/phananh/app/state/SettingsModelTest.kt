package vn.phananh.app.state

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import vn.phananh.core.Language

class SettingsModelTest {
    private class MapStore : SettingsStore {
        val map = mutableMapOf<String, String?>()
        override fun get(key: String) = map[key]
        override fun put(key: String, value: String?) { map[key] = value }
    }

    @Test
    fun languageFollowsTheDeviceUntilChosen() {
        val store = MapStore()
        assertEquals(Language.VI, SettingsModel(store, "vi-VN", "http://10.0.2.2:8080").load().language)
        assertEquals(Language.EN, SettingsModel(store, "fr-FR", "http://10.0.2.2:8080").load().language)
        val model = SettingsModel(store, "fr", "http://10.0.2.2:8080")
        model.save(model.load().copy(language = Language.VI)).getOrThrow()
        assertEquals(Language.VI, SettingsModel(store, "fr", "http://10.0.2.2:8080").load().language)
    }

    @Test
    fun serverAddressIsTrimmedAndFallsBackToTheDefault() {
        val model = SettingsModel(MapStore(), "vi", "http://10.0.2.2:8080")
        val first = model.load()
        assertEquals("http://10.0.2.2:8080", first.serverUrl)
        assertFalse(first.volunteerMode)
        val saved = model.save(first.copy(serverUrl = "  http://192.168.1.5:8080/ ", volunteerMode = true)).getOrThrow()
        assertEquals("http://192.168.1.5:8080", saved.serverUrl)
        assertEquals(saved, model.load())
        assertTrue(model.needsReopen(first, saved))
        assertFalse(model.needsReopen(saved, saved.copy(language = Language.EN)))
        assertEquals("http://10.0.2.2:8080", model.save(saved.copy(serverUrl = " ")).getOrThrow().serverUrl)
        // Not an address: the core says why, in the chosen language, and nothing is stored.
        val bad = model.save(saved.copy(serverUrl = "10.0.2.2:8080", language = Language.VI))
        assertTrue(bad.problem()!!.message.isNotBlank())
        assertEquals("server_url", bad.problem()!!.field)
        assertEquals(saved.copy(serverUrl = "http://10.0.2.2:8080"), model.load())
    }
}
