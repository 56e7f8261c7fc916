package vn.phananh.core

import java.nio.file.Files
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.condition.EnabledIfSystemProperty
import vn.phananh.core.model.*

/**
 * The cost of one FFI round trip from Kotlin on the JVM (JNA). Prints figures,
 * asserts nothing; runs only with -Dphananh.bench=true:
 *
 *     cargo xtask bindings --release
 *     mvn -q -f bindings/tests/kotlin/pom.xml test -Dphananh.bench=true -Dtest=FfiBench \
 *         -Djna.library.path=target/release-ffi
 */
@EnabledIfSystemProperty(named = "phananh.bench", matches = "true")
class FfiBench {
    private fun perCall(n: Int, f: () -> Unit): Double {
        repeat(minOf(n, 5_000)) { f() }
        val start = System.nanoTime()
        repeat(n) { f() }
        return (System.nanoTime() - start) / n / 1000.0
    }

    @Test
    fun roundTrips() {
        val app = PhanAnh(
            Config(dataDir = Files.createTempDirectory("phananh-bench").toString(), defaultServerUrl = "http://127.0.0.1:9",
                deviceLocale = "vi-VN"),
            MemorySecrets(),
        )
        app.use {
            val draft = it.createDraft(DraftFields(description = "Ổ gà lớn giữa đường liên xã"))
            println("JVM ${System.getProperty("java.version")}, library ${coreVersion()}")
            println("language()            %7.2f µs/call".format(perCall(500_000) { it.language() }))
            println("coreVersion()         %7.2f µs/call".format(perCall(500_000) { coreVersion() }))
            println("getReport(id)         %7.2f µs/call".format(perCall(50_000) { it.getReport(draft.id) }))
            println("listReports(limit=1)  %7.2f µs/call".format(perCall(50_000) { it.listReports(ListFilter(limit = 1u)) }))
        }
    }
}
