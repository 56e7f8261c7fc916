package vn.phananh.app.platform

import android.content.Context

/**
 * The core checks server certificates with Android's own trust store
 * (rustls-platform-verifier), which needs the app's context once, before
 * the first request. Implemented in the native library (`bindings/src/android.rs`).
 */
object NativeTls {
    @Volatile private var done = false

    @JvmStatic private external fun init(context: Context)

    @Synchronized
    fun ensure(context: Context) {
        if (done) return
        System.loadLibrary("phananh_ffi")
        init(context.applicationContext)
        done = true
    }
}
