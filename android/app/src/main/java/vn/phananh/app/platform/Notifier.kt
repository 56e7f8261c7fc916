package vn.phananh.app.platform

import android.Manifest
import android.app.Activity
import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import vn.phananh.app.PhanAnhApp
import vn.phananh.app.state.Destination
import vn.phananh.app.state.attempt
import vn.phananh.app.state.destinationOf
import vn.phananh.app.state.shouldAskForNotifications
import vn.phananh.app.ui.DetailActivity
import vn.phananh.app.ui.FollowingActivity
import vn.phananh.app.ui.ReportsActivity
import vn.phananh.core.model.NotificationView

/**
 * Shows what the core decided deserves a notification after a sync: one
 * per report (its key is the tag, so a newer one replaces the older), in
 * one channel and one group, tapping opens the report. The text, the
 * grouping and the choice are the core's.
 */
object Notifier {
    private const val CHANNEL = "report_updates"
    private const val ASK = 41

    /** Create the channel (named in the user's language); safe to repeat. */
    fun ensureChannel(context: Context, app: PhanAnhApp) {
        val t = app.texts()
        val channel = NotificationChannel(CHANNEL, t.notificationChannel, NotificationManager.IMPORTANCE_DEFAULT)
        channel.description = t.notificationChannelDescription
        context.getSystemService(NotificationManager::class.java)?.createNotificationChannel(channel)
    }

    private fun allowed(context: Context): Boolean =
        Build.VERSION.SDK_INT < 33 ||
            context.checkSelfPermission(Manifest.permission.POST_NOTIFICATIONS) == PackageManager.PERMISSION_GRANTED

    /** Take the core's pending notifications and show them (left with the core while not allowed). */
    fun showPending(context: Context, app: PhanAnhApp) {
        if (!allowed(context)) return
        val pending = attempt { app.core().takeNotifications() }.getOrNull() ?: return
        if (pending.isEmpty()) return
        ensureChannel(context, app)
        val manager = context.getSystemService(NotificationManager::class.java) ?: return
        pending.forEach { manager.notify(it.key, it.numericId, build(context, it)) }
    }

    private fun build(context: Context, n: NotificationView): Notification {
        val intent = when (val to = destinationOf(n)) {
            is Destination.Report -> Intent(context, DetailActivity::class.java).putExtra(ReportsActivity.EXTRA_ID, to.id)
            Destination.Following -> Intent(context, FollowingActivity::class.java)
        }.addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TOP)
        val tap = PendingIntent.getActivity(
            context, n.numericId, intent, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        return Notification.Builder(context, CHANNEL)
            .setSmallIcon(android.R.drawable.stat_notify_chat)
            .setContentTitle(n.title)
            .setContentText(n.body)
            .setStyle(Notification.BigTextStyle().bigText(n.body))
            .setGroup(n.group)
            .setContentIntent(tap)
            .setAutoCancel(true)
            .build()
    }

    /** Ask for the permission on Android 13+, at a moment it matters (after sending, after following). */
    fun askIfNeeded(activity: Activity) {
        if (shouldAskForNotifications(Build.VERSION.SDK_INT, allowed(activity), momentThatMatters = true)) {
            activity.requestPermissions(arrayOf(Manifest.permission.POST_NOTIFICATIONS), ASK)
        }
    }
}
