package vn.phananh.app.state

import vn.phananh.core.model.DraftFields
import vn.phananh.core.model.Location
import vn.phananh.core.model.NearbyReport
import vn.phananh.core.PhanAnh
import vn.phananh.core.model.ReportView

/**
 * The new/edit report screen's state. Every change is saved at once (a
 * draft survives the app being killed); the rules (what is required, phone
 * numbers, limits) are the core's, which answers with a [Problem] in the
 * user's language.
 */
class EditorModel private constructor(private val core: PhanAnh, report: ReportView) {
    var report: ReportView = report
        private set

    /** The last photo's GPS, offered (never applied) while the report has no location. */
    var suggestion: Location? = null
        private set

    var problem: Problem? = null
        private set

    /** Reports near here the user should see before sending ("is this the same problem?"). */
    var nearby: List<NearbyReport> = emptyList()
        private set

    val canSend: Boolean get() = report.editable

    companion object {
        /** A new draft; volunteer mode starts it "on behalf of" a neighbour. */
        fun create(core: PhanAnh, volunteerMode: Boolean): Result<EditorModel> =
            attempt { EditorModel(core, core.createDraft(DraftFields(onBehalf = volunteerMode))) }

        /** An existing report (a draft, or one that needs attention). */
        fun open(core: PhanAnh, id: String): Result<EditorModel> = attempt { EditorModel(core, core.getReport(id)) }
    }

    private fun update(fields: DraftFields): Boolean {
        val result = attempt { core.updateDraft(report.id, fields) }
        result.onSuccess { report = it }
        problem = result.problem()
        return result.isSuccess
    }

    fun setCategory(code: String) = update(DraftFields(category = code))
    fun setDescription(text: String) = update(DraftFields(description = text))
    fun setAddress(text: String) = update(DraftFields(address = text))
    fun setReporter(name: String, phone: String, anonymous: Boolean) =
        update(DraftFields(reporterName = name, reporterPhone = phone, anonymous = anonymous))

    /** Volunteer mode: filing for a neighbour, who must consent. */
    fun setNeighbour(name: String, phone: String, consent: Boolean) =
        update(DraftFields(onBehalf = true, forName = name, forPhone = phone, consent = consent))

    /** A fix from the phone's GPS. */
    fun setLocation(lat: Double, lon: Double, accuracyM: Double?): Boolean {
        suggestion = null
        return update(DraftFields(location = Location(lat, lon, accuracyM)))
    }

    fun clearLocation() = update(DraftFields(clearLocation = true))

    /** "18.90000, 105.30000 ±8 m" (the core's format), or null. */
    fun locationLine(): String? = report.locationLabel

    /** Attach a photo file (camera output or a gallery copy). */
    fun attachPhoto(path: String): Boolean = afterAttach(attempt { core.attachPhotoPath(report.id, path) })

    /** Attach photo bytes (a gallery stream). */
    fun attachPhoto(bytes: ByteArray): Boolean = afterAttach(attempt { core.attachPhotoBytes(report.id, bytes) })

    private fun afterAttach(result: Result<vn.phananh.core.model.AttachedPhoto>): Boolean {
        result.onSuccess { attached ->
            if (report.location == null) suggestion = attached.suggestion.location
            refresh()
        }
        problem = result.problem()
        return result.isSuccess
    }

    /** The user accepted the photo's position. */
    fun acceptSuggestion(): Boolean {
        val s = suggestion ?: return false
        return setLocation(s.lat, s.lon, s.accuracyM)
    }

    fun dismissSuggestion() {
        suggestion = null
    }

    fun removePhoto(photoId: String): Boolean {
        val result = attempt { core.removePhoto(photoId) }
        problem = result.problem()
        if (result.isSuccess) refresh()
        return result.isSuccess
    }

    private fun refresh() {
        attempt { core.getReport(report.id) }.onSuccess { report = it }
    }

    /**
     * Open reports near this one. Offline or without a location the list is
     * empty (the check is a courtesy, never a gate).
     */
    suspend fun checkNearby(): List<NearbyReport> {
        val at = report.location ?: return emptyList<NearbyReport>().also { nearby = it }
        nearby = try {
            core.nearby(at.lat, at.lon, report.category).reports
        } catch (e: vn.phananh.core.PhanAnhException) {
            emptyList()
        }
        return nearby
    }

    /** Queue for sending. On a rule broken, [problem] says which and why. */
    fun send(): Boolean {
        val result = attempt { core.submit(report.id) }
        result.onSuccess { report = it }
        problem = result.problem()
        return result.isSuccess
    }

    /** Leaving a draft nobody wrote anything in: the core deletes it (its rule, not ours). */
    fun discardIfEmpty(): Boolean = attempt { core.discardIfUntouched(report.id) }.getOrDefault(false)
}

/** What the volunteer hands to the neighbour after sending. */
data class Handoff(val trackingCode: String?, val publicUrl: String?, val text: String)

fun handoffOf(report: ReportView, texts: vn.phananh.core.model.UiTexts): Handoff = when (val code = report.trackingCode) {
    null -> Handoff(null, null, texts.codeAfterSync)
    else -> Handoff(code, report.publicUrl, "${texts.handOver} ${report.publicUrl ?: ""}".trim())
}

/** The share sheet's text for a sent report, or null before it has a public page. */
fun shareTextOf(report: ReportView, texts: vn.phananh.core.model.UiTexts): String? =
    report.publicUrl?.let { url -> "${texts.shareText} ${report.trackingCode ?: ""} $url".replace("  ", " ") }
