package vn.phananh.app.state

import java.io.File
import java.nio.file.Files
import vn.phananh.core.model.Config
import vn.phananh.core.model.Language
import vn.phananh.core.PhanAnh
import vn.phananh.core.SecretStore

/** Secrets in memory (the app's Keystore store needs Android). */
class MemorySecrets : SecretStore {
    private val map = mutableMapOf<String, String>()
    override fun get(key: String): String? = map[key]
    override fun set(key: String, value: String) { map[key] = value }
    override fun remove(key: String) { map.remove(key) }
}

/** The real core on a fresh directory, offline (nothing listens on port 9). */
fun offlineCore(language: Language = Language.VI): PhanAnh {
    val dir = Files.createTempDirectory("phananh-app-test").toFile()
    val locale = if (language == Language.VI) "vi-VN" else "en-US"
    return PhanAnh(Config(dataDir = dir.path, defaultServerUrl = "http://127.0.0.1:9", deviceLocale = locale), MemorySecrets())
}

fun photo(name: String): File = File(System.getProperty("phananh.photos"), name).also {
    check(it.isFile) { "test photo missing: $it" }
}
