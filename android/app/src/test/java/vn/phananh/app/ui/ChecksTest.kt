package vn.phananh.app.ui

import android.app.Activity
import android.graphics.Color
import android.os.Bundle
import android.widget.Button
import android.widget.EditText
import android.widget.ImageView
import android.widget.LinearLayout
import android.widget.TextView
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.robolectric.Robolectric

/** The checks themselves find what they are for (so a green screenshot run means something). */
class ChecksTest : AppTest() {
    /** A screen with one of each fault. */
    class Faulty : Activity() {
        override fun onCreate(savedInstanceState: Bundle?) {
            setTheme(Screen.THEME)
            super.onCreate(savedInstanceState)
            val root = column()
            // Grey on grey: about 1.6:1.
            root.addView(TextView(this).apply { text = "Chữ mờ khó đọc"; textSize = 16f; setTextColor(Color.rgb(170, 170, 170)); setBackgroundColor(Color.rgb(230, 230, 230)) })
            // A small target.
            root.addView(Button(this).apply { text = "Nhỏ"; minimumHeight = 0; minHeight = 0 }, LinearLayout.LayoutParams(200, 40))
            // A field nobody named.
            root.addView(EditText(this))
            // An image without a description.
            root.addView(ImageView(this).apply { setImageDrawable(android.graphics.drawable.ColorDrawable(Color.RED)) }, LinearLayout.LayoutParams(80, 80))
            // A row wider than the screen.
            root.addView(row().apply {
                addView(Button(this@Faulty).apply { text = "Một nút rất rất dài ở đây" }, LinearLayout.LayoutParams(500, LinearLayout.LayoutParams.WRAP_CONTENT))
                addView(Button(this@Faulty).apply { text = "Nút thứ hai" }, LinearLayout.LayoutParams(500, LinearLayout.LayoutParams.WRAP_CONTENT))
            })
            screen(root)
        }
    }

    @Test
    fun eachFaultIsFound() {
        val activity = Robolectric.buildActivity(Faulty::class.java).setup().get()
        idle()
        val findings = Checks.run(activity)
        val text = findings.joinToString("\n")
        assertTrue(text, findings.any { it.contains("Chữ mờ khó đọc") && it.contains("contrast") })
        assertTrue(text, findings.any { it.contains("Nhỏ") && it.contains("under 48 dp") })
        assertTrue(text, findings.any { it.contains("EditText has no name") })
        assertTrue(text, findings.any { it.contains("an image without a description") })
        assertTrue(text, findings.any { it.contains("Nút thứ hai") && it.contains("past the screen's edge") })
        // Google's framework agrees: the small button, the unnamed field and image.
        assertTrue(text, findings.any { it.startsWith("ATF TouchTargetSizeCheck") && it.contains("Nhỏ") })
        assertTrue(text, findings.any { it.startsWith("ATF SpeakableTextPresentCheck") })
    }

    @Test
    fun contrastIsComputedAsWcagDoes() {
        assertEquals(21.0, Checks.ratio(Color.BLACK, Color.WHITE), 0.01)
        assertEquals(1.0, Checks.ratio(Color.GRAY, Color.GRAY), 0.001)
        // #767676 on white is the classic 4.54:1.
        assertEquals(4.54, Checks.ratio(Color.rgb(0x76, 0x76, 0x76), Color.WHITE), 0.01)
    }
}
