package vn.phananh.app.ui

import android.app.Activity
import android.content.Context
import android.content.res.Configuration
import android.graphics.BitmapFactory
import android.graphics.Typeface
import android.text.Editable
import android.text.InputType
import android.text.TextWatcher
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.ImageView
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import android.widget.Toast

// The screens are built in code from framework widgets: no layouts or
// AndroidX, so every line compiles against the plain Android API. Every
// control is at least 48 dp tall (fingers, not mice) and every colour keeps
// 4.5:1 contrast on the theme's background, light or dark (the Robolectric
// tests check both on every screen).

fun Context.dp(value: Int): Int = (value * resources.displayMetrics.density).toInt()

/** The smallest touch target (Android's accessibility guidance). */
const val TOUCH_DP = 48

/** Text colours chosen for contrast on the light and on the dark theme. */
class Palette(context: Context) {
    private val night = context.resources.configuration.uiMode and
        Configuration.UI_MODE_NIGHT_MASK == Configuration.UI_MODE_NIGHT_YES

    /** Body text (darker than the platform's grey default, for tired eyes in the sun). */
    val primary: Int = if (night) 0xFFE8EAED.toInt() else 0xFF1F1F1F.toInt()
    /** Dates, small captions. */
    val secondary: Int = if (night) 0xFFC4C7C5.toInt() else 0xFF555A5F.toInt()
    /** Something needs the user (a refused report, an error). */
    val error: Int = if (night) 0xFFF2B8B5.toInt() else 0xFFB3261E.toInt()
    /** Waiting for a connection. */
    val warning: Int = if (night) 0xFFFFCC80.toInt() else 0xFF8A4B00.toInt()
    /** On its way. */
    val waiting: Int = if (night) 0xFF9EC5FF.toInt() else 0xFF1A5A9E.toInt()
    /** Done. */
    val done: Int = if (night) 0xFF8CD9A0.toInt() else 0xFF146C3C.toInt()
}

val Context.palette: Palette get() = Palette(this)

fun Context.column(padding: Int = 16): LinearLayout = LinearLayout(this).apply {
    orientation = LinearLayout.VERTICAL
    setPadding(dp(padding), dp(padding), dp(padding), dp(padding))
}

fun Context.row(): LinearLayout = LinearLayout(this).apply { orientation = LinearLayout.HORIZONTAL }

/**
 * Buttons side by side sharing the width equally (a long label wraps
 * inside its button instead of pushing the next one off a narrow screen).
 */
fun ViewGroup.buttonRow(): LinearLayout = context.row().also { addView(it) }

fun Activity.screen(content: View) {
    // No text field takes the focus on opening (the keyboard would cover the screen).
    content.isFocusableInTouchMode = true
    (content as? ViewGroup)?.descendantFocusability = ViewGroup.FOCUS_BEFORE_DESCENDANTS
    setContentView(ScrollView(this).apply { isFillViewport = true; addView(content) })
    content.requestFocus()
}

fun ViewGroup.text(value: CharSequence, sizeSp: Float = 16f, bold: Boolean = false): TextView =
    TextView(context).apply {
        text = value
        textSize = sizeSp
        setTextColor(context.palette.primary)
        if (bold) setTypeface(typeface, Typeface.BOLD)
        setPadding(0, context.dp(4), 0, context.dp(4))
    }.also { addView(it) }

fun ViewGroup.button(label: String, onClick: () -> Unit): Button =
    Button(context).apply {
        text = label
        isAllCaps = false
        minimumHeight = context.dp(TOUCH_DP)
        setOnClickListener { onClick() }
    }.also { button ->
        if (this is LinearLayout && orientation == LinearLayout.HORIZONTAL) {
            addView(button, LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
        } else {
            addView(button)
        }
    }

/**
 * A text field named [label]. A one-line field gets the label as visible
 * text above it (a hint would be cut off at large font sizes, and vanishes
 * once the user types); a multi-line one shows it as a hint, which wraps.
 * Either way a screen reader announces it as the field's name.
 */
fun ViewGroup.field(label: String, value: String?, multiline: Boolean = false, phone: Boolean = false): EditText {
    val caption = if (multiline) null else text(label, 14f).apply { setTextColor(context.palette.secondary) }
    return EditText(context).apply {
        if (multiline) hint = label
        setText(value ?: "")
        setTextColor(context.palette.primary)
        setHintTextColor(context.palette.secondary)
        inputType = when {
            multiline -> InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_MULTI_LINE or
                InputType.TYPE_TEXT_FLAG_CAP_SENTENCES
            phone -> InputType.TYPE_CLASS_PHONE
            else -> InputType.TYPE_CLASS_TEXT
        }
        if (multiline) minLines = 3
        // The view's own minimum (the input type resets the text's to one line).
        minimumHeight = context.dp(TOUCH_DP)
        if (caption != null) {
            id = View.generateViewId()
            caption.labelFor = id
        }
    }.also { addView(it) }
}

fun ViewGroup.check(label: String, checked: Boolean, onChange: (Boolean) -> Unit): CheckBox =
    CheckBox(context).apply {
        text = label
        isChecked = checked
        minimumHeight = context.dp(TOUCH_DP)
        setOnCheckedChangeListener { _, value -> onChange(value) }
    }.also { addView(it) }

/** A small image from a file path, decoded at a fraction of its size; [label] is what a screen reader says. */
fun ViewGroup.thumbnail(path: String?, label: String, sizeDp: Int = 72): ImageView =
    ImageView(context).apply {
        layoutParams = LinearLayout.LayoutParams(context.dp(sizeDp), context.dp(sizeDp))
        scaleType = ImageView.ScaleType.CENTER_CROP
        contentDescription = label
        if (path != null) {
            val options = BitmapFactory.Options().apply { inSampleSize = 2 }
            setImageBitmap(BitmapFactory.decodeFile(path, options))
        }
    }.also { addView(it) }

/**
 * Calls [onChange] once typing pauses (the core saves every change); the
 * returned function saves at once whatever waits (the screen calls it when
 * it is paused, so nothing typed is lost to a rotation or the process dying).
 */
fun EditText.onPause(delayMs: Long = 400, onChange: (String) -> Unit): () -> Unit {
    var pending = false
    val save = Runnable {
        pending = false
        onChange(text.toString())
    }
    addTextChangedListener(object : TextWatcher {
        override fun beforeTextChanged(s: CharSequence?, start: Int, count: Int, after: Int) {}
        override fun onTextChanged(s: CharSequence?, start: Int, before: Int, count: Int) {}
        override fun afterTextChanged(s: Editable?) {
            removeCallbacks(save)
            pending = true
            postDelayed(save, delayMs)
        }
    })
    return {
        if (pending) {
            removeCallbacks(save)
            save.run()
        }
    }
}

fun Context.toast(message: String) = Toast.makeText(this, message, Toast.LENGTH_LONG).show()
