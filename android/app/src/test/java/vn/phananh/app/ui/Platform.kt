package vn.phananh.app.ui

import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.content.Context
import android.net.ConnectivityManager
import java.io.File
import org.robolectric.Robolectric
import org.robolectric.Shadows.shadowOf
import vn.phananh.app.platform.SyncJobService

/** A real photo from the repository's test data (a phone's camera output, with EXIF). */
fun photo(name: String = "DSCN0010.jpg"): File =
    File(System.getProperty("phananh.photos"), name).also { check(it.isFile) { "test photo missing: $it" } }

/**
 * The parameters the system hands a job. The class has no public
 * constructor; the framework's own (hidden, the widest one) is called with
 * the job's id and nothing else.
 */
fun jobParameters(jobId: Int): JobParameters {
    val constructor = JobParameters::class.java.declaredConstructors.maxByOrNull { it.parameterCount }!!
    var idGiven = false
    val args: List<Any?> = constructor.parameterTypes.map { type ->
        when (type) {
            Int::class.javaPrimitiveType -> if (!idGiven) { idGiven = true; jobId } else 0
            Boolean::class.javaPrimitiveType -> false
            Long::class.javaPrimitiveType -> 0L
            else -> null
        }
    }
    constructor.isAccessible = true
    return constructor.newInstance(*args.toTypedArray()) as JobParameters
}

/**
 * What the system does when a scheduled sync job's constraints are met:
 * start the app's real `SyncJobService` with its parameters, and wait
 * (bounded) for it to call `jobFinished`. Returns whether it asked to be
 * rescheduled.
 */
fun AppTest.runSyncJob(jobId: Int): Boolean {
    val scheduler = app.getSystemService(JobScheduler::class.java)
    val job = scheduler.getPendingJob(jobId) ?: error("job $jobId is not scheduled")
    check(job.requiredNetwork != null) { "the sync job must wait for a network" }
    val cm = app.getSystemService(ConnectivityManager::class.java)
    check(cm.activeNetwork != null) { "the job's constraint (a network) is not met" }
    val service = Robolectric.buildService(SyncJobService::class.java).create().get()
    check(service.onStartJob(jobParameters(jobId))) { "the job should run in the background" }
    waitFor("the sync job to finish") { shadowOf(service).isJobFinished }
    return shadowOf(service).isRescheduleNeeded
}

/** The network comes and goes, as the system tells the app's registered callbacks. */
@Suppress("DEPRECATION") // Robolectric's connectivity shadow still speaks NetworkInfo
fun AppTest.setNetwork(online: Boolean) {
    val cm = app.getSystemService(ConnectivityManager::class.java)
    val shadow = shadowOf(cm)
    shadow.setDefaultNetworkActive(online)
    if (!online) shadow.setActiveNetworkInfo(null) else shadow.setActiveNetworkInfo(connectedInfo())
    val network = cm.activeNetwork ?: org.robolectric.shadows.ShadowNetwork.newInstance(1)
    shadow.networkCallbacks.forEach { if (online) it.onAvailable(network) else it.onLost(network) }
    // The app hands the change to the core off the main thread.
    waitFor("the core to hear of it") { app.core().syncStatus().offline == !online }
    idle()
}

@Suppress("DEPRECATION")
private fun connectedInfo() = org.robolectric.shadows.ShadowNetworkInfo.newInstance(
    android.net.NetworkInfo.DetailedState.CONNECTED, ConnectivityManager.TYPE_MOBILE, 0, true,
    android.net.NetworkInfo.State.CONNECTED,
)

fun Context.cameraDir(): File = vn.phananh.app.platform.CameraFiles.dir(this)
