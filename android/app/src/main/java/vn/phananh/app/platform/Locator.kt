package vn.phananh.app.platform

import android.annotation.SuppressLint
import android.content.Context
import android.location.Location
import android.location.LocationListener
import android.location.LocationManager
import android.os.Handler
import android.os.Looper

/**
 * One position fix from the framework's LocationManager (GPS, else the
 * network): the first fix of 50 m or better, or the best seen after
 * [timeoutMs]. The caller holds the location permission.
 */
class Locator(context: Context) {
    private val manager = context.getSystemService(LocationManager::class.java)
    private val handler = Handler(Looper.getMainLooper())

    @SuppressLint("MissingPermission")
    fun once(timeoutMs: Long = 30_000, done: (Location?) -> Unit) {
        val providers = listOf(LocationManager.GPS_PROVIDER, LocationManager.NETWORK_PROVIDER)
            .filter { manager?.isProviderEnabled(it) == true }
        if (manager == null || providers.isEmpty()) return done(null)
        var best: Location? = null
        var finished = false
        lateinit var listener: LocationListener
        val finish = {
            if (!finished) {
                finished = true
                manager.removeUpdates(listener)
                done(best)
            }
        }
        listener = LocationListener { fix ->
            if (best == null || fix.accuracy < best!!.accuracy) best = fix
            if (fix.accuracy <= 50f) finish()
        }
        providers.forEach { manager.requestLocationUpdates(it, 1000L, 0f, listener, Looper.getMainLooper()) }
        handler.postDelayed({ finish() }, timeoutMs)
    }
}
