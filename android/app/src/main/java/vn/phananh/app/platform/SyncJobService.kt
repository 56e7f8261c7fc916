package vn.phananh.app.platform

import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.ComponentName
import android.content.Context
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.launch
import vn.phananh.app.PhanAnhApp
import vn.phananh.core.PhanAnhException

/**
 * Background sync by the OS scheduler, only with a network: every 15
 * minutes, and once soon after a report is queued. The core decides what to
 * send and when to retry; this only gives it time to run.
 */
class SyncJobService : JobService() {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private var running: Job? = null

    override fun onStartJob(params: JobParameters): Boolean {
        val app = application as PhanAnhApp
        running = scope.launch {
            val again = try {
                val summary = app.core().syncOnce()
                // What the district did, told without opening the app.
                Notifier.showPending(this@SyncJobService, app)
                summary.offline || summary.retrying > 0u
            } catch (e: PhanAnhException) {
                true
            }
            jobFinished(params, again && params.jobId == SOON)
        }
        return true
    }

    override fun onStopJob(params: JobParameters): Boolean {
        running?.cancel()
        return true
    }

    companion object {
        private const val PERIODIC = 1
        private const val SOON = 2

        /** The periodic job (kept across reboots). */
        fun schedulePeriodic(context: Context) {
            val info = JobInfo.Builder(PERIODIC, ComponentName(context, SyncJobService::class.java))
                .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
                .setPeriodic(15 * 60 * 1000L)
                .setPersisted(true)
                .build()
            context.getSystemService(JobScheduler::class.java)?.schedule(info)
        }

        /** Send soon: a report was queued, maybe while offline. */
        fun runSoon(context: Context) {
            val info = JobInfo.Builder(SOON, ComponentName(context, SyncJobService::class.java))
                .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
                .setBackoffCriteria(30_000L, JobInfo.BACKOFF_POLICY_EXPONENTIAL)
                .build()
            context.getSystemService(JobScheduler::class.java)?.schedule(info)
        }
    }
}
