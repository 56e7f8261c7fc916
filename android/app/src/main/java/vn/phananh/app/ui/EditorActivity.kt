package vn.phananh.app.ui

import android.Manifest
import android.app.AlertDialog
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Bundle
import android.provider.MediaStore
import android.view.View
import android.view.ViewGroup
import android.widget.AbsListView
import android.widget.AdapterView
import android.widget.ArrayAdapter
import android.widget.LinearLayout
import android.widget.Spinner
import android.widget.TextView
import java.io.File
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import vn.phananh.app.platform.CameraFiles
import vn.phananh.app.platform.Locator
import vn.phananh.app.platform.SyncJobService
import vn.phananh.app.state.EditorModel
import vn.phananh.app.state.attempt
import vn.phananh.app.state.problem
import vn.phananh.core.model.CategoryView
import vn.phananh.core.model.NearbyReport

/**
 * New or edit report: category, description, up to the core's number of
 * photos (camera or gallery, their compressed size shown), location (GPS
 * with accuracy, a photo's position if the user accepts it, or an address),
 * the reporter or — in volunteer mode — the neighbour; "is this the same
 * problem?" before sending.
 */
class EditorActivity : Screen() {
    private val scope = MainScope()
    private lateinit var editor: EditorModel
    private var categories: List<CategoryView> = emptyList()
    private var shot: File? = null
    /** Saves of fields still typing (run at once before the screen pauses or is rebuilt). */
    private val unsaved = mutableListOf<() -> Unit>()
    private var waitingResult: Triple<Int, Int, Intent?>? = null

    override fun onReady(savedInstanceState: Bundle?) {
        val core = app.core()
        val id = intent.getStringExtra(ReportsActivity.EXTRA_ID) ?: savedInstanceState?.getString(KEY_ID)
        // Cheap phones often kill the app while the camera is open: remember the file.
        shot = savedInstanceState?.getString(KEY_SHOT)?.let(::File)
        val opened = if (id != null) EditorModel.open(core, id) else EditorModel.create(core, app.settings.volunteerMode)
        editor = opened.getOrNull() ?: run {
            toast(opened.problem()?.message ?: "")
            return finish()
        }
        categories = attempt { core.categories() }.getOrDefault(emptyList())
        if (categories.isEmpty()) {
            // First start: fetch the list (cached afterwards, offline too).
            scope.launch {
                runCatching { core.refreshCategories() }
                categories = attempt { core.categories() }.getOrDefault(emptyList())
                render()
            }
        }
        render()
        waitingResult?.let { (request, result, data) ->
            waitingResult = null
            @Suppress("DEPRECATION")
            onActivityResult(request, result, data)
        }
    }

    override fun onPause() {
        flush()
        super.onPause()
    }

    /** What was typed in the last moments reaches the core now. */
    private fun flush() {
        unsaved.forEach { it() }
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        if (::editor.isInitialized) outState.putString(KEY_ID, editor.report.id)
        shot?.let { outState.putString(KEY_SHOT, it.path) }
    }

    override fun onDestroy() {
        if (::editor.isInitialized && isFinishing) editor.discardIfEmpty()
        scope.cancel()
        super.onDestroy()
    }

    private fun render() {
        flush()
        unsaved.clear()
        val t = app.texts()
        val r = editor.report
        title = t.editReport
        val root = column()
        editor.problem?.let { root.text(it.message).setTextColor(palette.error) }
        r.attentionReason?.let { root.text(it).setTextColor(palette.error) }

        val categoryLabel = root.text(t.category, bold = true)
        val names = listOf(t.chooseCategory) + categories.map { "${it.group} — ${it.name}" }
        val spinner = Spinner(this).apply {
            adapter = WrappingAdapter(names)
            setSelection(categories.indexOfFirst { it.code == r.category } + 1)
            onItemSelectedListener = object : AdapterView.OnItemSelectedListener {
                override fun onItemSelected(p: AdapterView<*>?, v: View?, position: Int, id: Long) {
                    val code = categories.getOrNull(position - 1)?.code ?: return
                    if (code != editor.report.category) editor.setCategory(code)
                }
                override fun onNothingSelected(p: AdapterView<*>?) {}
            }
        }
        spinner.id = View.generateViewId()
        spinner.minimumHeight = dp(TOUCH_DP)
        categoryLabel.labelFor = spinner.id
        root.addView(spinner)

        root.text(t.description, bold = true)
        unsaved += root.field(t.descriptionHint, r.description, multiline = true).onPause { editor.setDescription(it) }

        root.text(t.photos, bold = true)
        r.photos.forEachIndexed { i, photo ->
            val line = row()
            root.addView(line)
            line.thumbnail(photo.thumbnailPath ?: photo.path, "${t.photos} ${i + 1}")
            line.text("  ${photo.sizeLabel}  ")
            line.button(t.removePhoto) { editor.removePhoto(photo.id); render() }
        }
        root.buttonRow().also { buttons ->
            buttons.button(t.takePhoto) { takePhoto() }
            buttons.button(t.choosePhoto) {
                val pick = Intent(Intent.ACTION_GET_CONTENT).setType("image/*").addCategory(Intent.CATEGORY_OPENABLE)
                startActivityForResult(pick, PICK)
            }
        }

        root.text(t.location, bold = true)
        editor.locationLine()?.let { root.text(it) }
        editor.suggestion?.let {
            root.text(t.usePhotoLocation)
            root.button(t.useIt) { editor.acceptSuggestion(); render() }
        }
        root.button(t.useMyLocation) { locate() }
        unsaved += root.field(t.address, r.address).onPause { editor.setAddress(it) }

        if (r.onBehalf) {
            root.text(t.filingFor, bold = true)
            root.person(Person(t.theirName, r.forName, t.theirPhone, r.forPhone, t.theirConsent, r.consent)) { n, p, c ->
                editor.setNeighbour(n, p, c)
            }
        } else {
            root.person(Person(t.yourName, r.reporterName, t.yourPhone, r.reporterPhone, t.anonymous, r.anonymous)) { n, p, a ->
                editor.setReporter(n, p, a)
            }
        }

        if (editor.canSend) {
            root.button(t.send) { checkThenSend() }
            root.button(t.saveDraft) { finish() }
        }
        screen(root)
    }

    /** The category names in full, on as many lines as large fonts need (the platform's item cuts them). */
    private inner class WrappingAdapter(names: List<String>) :
        ArrayAdapter<String>(this, android.R.layout.simple_spinner_dropdown_item, names) {
        override fun getView(position: Int, convertView: View?, parent: ViewGroup): View =
            wrap(super.getView(position, convertView, parent))

        override fun getDropDownView(position: Int, convertView: View?, parent: ViewGroup): View =
            wrap(super.getDropDownView(position, convertView, parent))

        private fun wrap(view: View): View = view.apply {
            layoutParams = AbsListView.LayoutParams(AbsListView.LayoutParams.MATCH_PARENT, AbsListView.LayoutParams.WRAP_CONTENT)
            minimumHeight = dp(TOUCH_DP)
            (this as? TextView)?.apply {
                isSingleLine = false
                maxLines = 4
                ellipsize = null
                setTextColor(palette.primary)
            }
        }
    }

    /** A name, a phone and a checkbox (the reporter's, or the neighbour's). */
    private class Person(
        val nameHint: String, val name: String?,
        val phoneHint: String, val phone: String?,
        val checkLabel: String, val checked: Boolean,
    )

    private fun LinearLayout.person(p: Person, save: (String, String, Boolean) -> Unit) {
        val name = field(p.nameHint, p.name)
        val phone = field(p.phoneHint, p.phone, phone = true)
        var checked = p.checked
        val saveAll = { save(name.text.toString(), phone.text.toString(), checked) }
        unsaved += name.onPause { saveAll() }
        unsaved += phone.onPause { saveAll() }
        check(p.checkLabel, checked) { checked = it; saveAll() }
    }

    private fun takePhoto() {
        flush()
        val (file, uri) = CameraFiles.newShot(this)
        shot = file
        val capture = Intent(MediaStore.ACTION_IMAGE_CAPTURE)
            .putExtra(MediaStore.EXTRA_OUTPUT, uri)
            .addFlags(Intent.FLAG_GRANT_WRITE_URI_PERMISSION or Intent.FLAG_GRANT_READ_URI_PERMISSION)
        startActivityForResult(capture, CAMERA)
    }

    @Deprecated("Activity result API needs AndroidX; the framework's is enough here")
    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        if (resultCode != RESULT_OK) return
        // After the process died behind the camera, the result comes before the core is open.
        if (!ready) {
            waitingResult = Triple(requestCode, resultCode, data)
            return
        }
        when (requestCode) {
            CAMERA -> shot?.let { file ->
                editor.attachPhoto(file.path)
                file.delete() // the core keeps its own compressed copy
            }
            PICK -> data?.data?.let { uri ->
                val bytes = contentResolver.openInputStream(uri)?.use { it.readBytes() }
                if (bytes != null) editor.attachPhoto(bytes)
            }
        }
        render()
    }

    private fun locate() {
        if (checkSelfPermission(Manifest.permission.ACCESS_FINE_LOCATION) != PackageManager.PERMISSION_GRANTED) {
            requestPermissions(arrayOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION), LOCATION)
            return
        }
        toast(app.texts().locating)
        Locator(this).once { fix ->
            if (fix == null) {
                toast(app.texts().noLocation)
            } else {
                editor.setLocation(fix.latitude, fix.longitude, if (fix.hasAccuracy()) fix.accuracy.toDouble() else null)
            }
            render()
        }
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        super.onRequestPermissionsResult(requestCode, permissions, grantResults)
        if (requestCode == LOCATION && grantResults.any { it == PackageManager.PERMISSION_GRANTED }) {
            locate()
        } else if (requestCode == LOCATION) {
            toast(app.texts().noLocation)
        }
    }

    /** "Is this the same problem?" first; sending is never blocked by it. */
    private fun checkThenSend() {
        flush()
        scope.launch {
            val nearby = editor.checkNearby()
            if (nearby.isEmpty()) send() else askSame(nearby)
        }
    }

    private fun askSame(nearby: List<NearbyReport>) {
        val t = app.texts()
        val list = column(8)
        list.text(t.sameProblemHint, 14f)
        nearby.forEach { n ->
            list.text("${n.trackingCode} · ${n.categoryName}", bold = true)
            list.text("${n.statusLabel} · ${n.distanceLabel} · ${n.ageLabel}", 14f)
            // The same problem: follow it instead ("Quan tâm", "I see it too").
            list.button(t.follow) {
                startActivity(Intent(this, FollowingActivity::class.java).putExtra(FollowingActivity.EXTRA_CODE, n.trackingCode))
            }
        }
        AlertDialog.Builder(this)
            .setTitle(t.sameProblem)
            .setView(list)
            .setPositiveButton(t.sendAnyway) { _, _ -> send() }
            .setNegativeButton(t.cancel, null)
            .show()
    }

    private fun send() {
        if (!editor.send()) return render()
        SyncJobService.runSoon(this)
        // The moment notifications matter: the list asks for the permission.
        app.askForNotifications = true
        if (editor.report.onBehalf) {
            // Volunteer mode: the detail screen shows the code large, with the
            // public page, and fills it in as soon as the sync brings it.
            startActivity(
                Intent(this, DetailActivity::class.java)
                    .putExtra(ReportsActivity.EXTRA_ID, editor.report.id)
                    .putExtra(DetailActivity.EXTRA_HANDOFF, true),
            )
        }
        finish()
    }

    private companion object {
        const val KEY_ID = "report_id"
        const val KEY_SHOT = "camera_file"
        const val CAMERA = 1
        const val PICK = 2
        const val LOCATION = 3
    }
}
