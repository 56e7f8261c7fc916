package vn.phananh.app.state

import vn.phananh.core.model.FollowedView
import vn.phananh.core.model.NotificationView
import vn.phananh.core.model.RatingScore
import vn.phananh.core.model.ReportView
import vn.phananh.core.model.UiTexts

/**
 * What the detail screen offers after the district's answer. The core
 * decides whether a rating or a reopen is possible and writes every label;
 * this only puts them in the order the screen shows them.
 */
data class FeedbackUi(
    /** The three scores, best first, with their labels; empty when rating is not possible. */
    val scores: List<Pair<RatingScore, String>>,
    /** The volunteer may rate for the neighbour. */
    val forNeighbour: Boolean,
    /** "Đánh giá của bạn: Hài lòng · đã gửi". */
    val ratingLine: String?,
    /** The reopen (or contest) button's words, when possible. */
    val reopenLabel: String?,
    /** "Yêu cầu mở lại: đang chờ gửi". */
    val reopenLine: String?,
)

fun feedbackOf(report: ReportView, t: UiTexts): FeedbackUi = FeedbackUi(
    scores = if (report.canRate) listOf(
        RatingScore.SATISFIED to t.scoreSatisfied,
        RatingScore.ACCEPTABLE to t.scoreAcceptable,
        RatingScore.NOT_SATISFIED to t.scoreNotSatisfied,
    ) else emptyList(),
    forNeighbour = report.canRateForNeighbour,
    ratingLine = report.ratingLine,
    reopenLabel = report.reopenLabel?.takeIf { report.canReopen },
    reopenLine = report.reopenLine,
)

/** Where tapping a notification goes. */
sealed interface Destination {
    /** One's own report. */
    data class Report(val id: String) : Destination
    /** The list of followed reports. */
    data object Following : Destination
}

fun destinationOf(n: NotificationView): Destination = n.reportId?.let { Destination.Report(it) } ?: Destination.Following

/**
 * Whether to ask for the notification permission now: on Android 13+ only,
 * when not granted, and only at a moment it matters (a report just sent, a
 * report just followed), never on start-up.
 */
fun shouldAskForNotifications(sdk: Int, granted: Boolean, momentThatMatters: Boolean): Boolean =
    sdk >= 33 && !granted && momentThatMatters

/** One line per followed report for the list: code, status, the latest reply. */
fun followedLine(f: FollowedView): String =
    listOfNotNull(f.trackingCode, f.statusLabel ?: f.stateLabel, f.categoryName).joinToString(" · ")
