package vn.phananh.app.platform

import android.app.Activity
import android.content.Intent
import android.provider.MediaStore
import java.io.File

/**
 * Photos for a reopen or an "I see it too", taken with the camera or
 * chosen from the gallery, kept as files until the core has compressed its
 * own copies (the core takes paths; the files are removed after).
 */
class PhotoPicks(private val activity: Activity) {
    /** The files picked so far. */
    val paths = mutableListOf<String>()
    private var shot: File? = null

    fun camera() {
        val (file, uri) = CameraFiles.newShot(activity)
        shot = file
        val capture = Intent(MediaStore.ACTION_IMAGE_CAPTURE)
            .putExtra(MediaStore.EXTRA_OUTPUT, uri)
            .addFlags(Intent.FLAG_GRANT_WRITE_URI_PERMISSION or Intent.FLAG_GRANT_READ_URI_PERMISSION)
        @Suppress("DEPRECATION")
        activity.startActivityForResult(capture, CAMERA)
    }

    fun gallery() {
        val pick = Intent(Intent.ACTION_GET_CONTENT).setType("image/*").addCategory(Intent.CATEGORY_OPENABLE)
        @Suppress("DEPRECATION")
        activity.startActivityForResult(pick, PICK)
    }

    /** Call from `onActivityResult`; true if it was one of ours. */
    fun onResult(requestCode: Int, resultCode: Int, data: Intent?): Boolean {
        if (requestCode != CAMERA && requestCode != PICK) return false
        if (resultCode != Activity.RESULT_OK) return true
        when (requestCode) {
            CAMERA -> shot?.let { paths += it.path }
            PICK -> data?.data?.let { uri ->
                val file = File(CameraFiles.dir(activity), "pick-${System.currentTimeMillis()}.img")
                activity.contentResolver.openInputStream(uri)?.use { input -> file.outputStream().use { input.copyTo(it) } }
                if (file.length() > 0) paths += file.path
            }
        }
        return true
    }

    /** The core has its copies: remove ours. */
    fun clear() {
        paths.forEach { File(it).delete() }
        paths.clear()
    }

    private companion object {
        const val CAMERA = 11
        const val PICK = 12
    }
}
