package vn.phananh.app.ui

import android.app.Activity
import android.os.Build
import android.os.Bundle
import android.widget.FrameLayout
import android.widget.ProgressBar
import vn.phananh.app.PhanAnhApp

/**
 * What every screen shares: the system's light or dark theme, and the core
 * opened off the main thread — until it is, the screen shows a spinner, and
 * [onReady] builds it after.
 */
abstract class Screen : Activity() {
    protected val app: PhanAnhApp get() = application as PhanAnhApp

    /** The core is open and [onReady] has run. */
    protected var ready = false
        private set
    private var visible = false

    override fun onCreate(savedInstanceState: Bundle?) {
        setTheme(THEME)
        super.onCreate(savedInstanceState)
        if (!app.isReady) {
            setContentView(FrameLayout(this).apply { addView(ProgressBar(this@Screen)) })
        }
        app.whenReady {
            if (isDestroyed || isFinishing) return@whenReady
            ready = true
            onReady(savedInstanceState)
            if (visible && !isFinishing) onShown()
        }
    }

    override fun onStart() {
        super.onStart()
        visible = true
        if (ready) onShown()
    }

    override fun onStop() {
        visible = false
        if (ready) onHidden()
        super.onStop()
    }

    /** The core is open: build the screen (once per activity instance). */
    protected abstract fun onReady(savedInstanceState: Bundle?)

    /** The screen became visible with the core open (after [onReady], and on every return). */
    protected open fun onShown() {}

    /** The screen is no longer visible. */
    protected open fun onHidden() {}

    companion object {
        /** Follows the system's dark setting where the platform has one (Android 10+). */
        val THEME: Int = if (Build.VERSION.SDK_INT >= 29) {
            android.R.style.Theme_DeviceDefault_DayNight
        } else {
            android.R.style.Theme_Material_Light
        }
    }
}
