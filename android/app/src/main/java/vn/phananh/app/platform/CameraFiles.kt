package vn.phananh.app.platform

import android.content.ContentProvider
import android.content.ContentValues
import android.content.Context
import android.database.Cursor
import android.net.Uri
import android.os.ParcelFileDescriptor
import java.io.File

/**
 * Where the camera app writes a photo: a file in our cache, handed over as
 * a `content://` URI (the framework's own ContentProvider, no AndroidX).
 * The core compresses it and keeps its own copy; this file is deleted after.
 */
class CameraFiles : ContentProvider() {
    override fun onCreate(): Boolean = true

    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor {
        val name = uri.lastPathSegment ?: throw java.io.FileNotFoundException("no file name")
        val ctx = context ?: throw java.io.FileNotFoundException("no context")
        val file = File(dir(ctx), File(name).name) // never a path outside the directory
        return ParcelFileDescriptor.open(file, ParcelFileDescriptor.parseMode(mode))
    }

    override fun getType(uri: Uri): String = "image/jpeg"
    override fun query(u: Uri, p: Array<String>?, s: String?, a: Array<String>?, o: String?): Cursor? = null
    override fun insert(uri: Uri, values: ContentValues?): Uri? = null
    override fun update(uri: Uri, v: ContentValues?, s: String?, a: Array<String>?): Int = 0
    override fun delete(uri: Uri, s: String?, a: Array<String>?): Int = 0

    companion object {
        const val AUTHORITY = "vn.phananh.app.camera"

        fun dir(context: Context): File = File(context.cacheDir, "camera").apply { mkdirs() }

        /** A fresh file for the camera, and the URI to give it. */
        fun newShot(context: Context): Pair<File, Uri> {
            val file = File(dir(context), "shot-${System.currentTimeMillis()}.jpg")
            return file to Uri.parse("content://$AUTHORITY/${file.name}")
        }
    }
}
