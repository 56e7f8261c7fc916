package vn.phananh.app.ui

import android.app.Activity
import android.content.Context
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
// AndroidX, so every line compiles against the plain Android API.

fun Context.dp(value: Int): Int = (value * resources.displayMetrics.density).toInt()

fun Context.column(padding: Int = 16): LinearLayout = LinearLayout(this).apply {
    orientation = LinearLayout.VERTICAL
    setPadding(dp(padding), dp(padding), dp(padding), dp(padding))
}

fun Context.row(): LinearLayout = LinearLayout(this).apply { orientation = LinearLayout.HORIZONTAL }

fun Activity.screen(content: View) {
    setContentView(ScrollView(this).apply { isFillViewport = true; addView(content) })
}

fun ViewGroup.text(value: CharSequence, sizeSp: Float = 16f, bold: Boolean = false): TextView =
    TextView(context).apply {
        text = value
        textSize = sizeSp
        if (bold) setTypeface(typeface, Typeface.BOLD)
        setPadding(0, context.dp(4), 0, context.dp(4))
    }.also { addView(it) }

fun ViewGroup.button(label: String, onClick: () -> Unit): Button =
    Button(context).apply {
        text = label
        isAllCaps = false
        setOnClickListener { onClick() }
    }.also { addView(it) }

fun ViewGroup.field(hint: String, value: String?, multiline: Boolean = false, phone: Boolean = false): EditText =
    EditText(context).apply {
        this.hint = hint
        setText(value ?: "")
        inputType = when {
            multiline -> InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_MULTI_LINE or
                InputType.TYPE_TEXT_FLAG_CAP_SENTENCES
            phone -> InputType.TYPE_CLASS_PHONE
            else -> InputType.TYPE_CLASS_TEXT
        }
        if (multiline) minLines = 3
    }.also { addView(it) }

fun ViewGroup.check(label: String, checked: Boolean, onChange: (Boolean) -> Unit): CheckBox =
    CheckBox(context).apply {
        text = label
        isChecked = checked
        setOnCheckedChangeListener { _, value -> onChange(value) }
    }.also { addView(it) }

/** A small image from a file path, decoded at a fraction of its size. */
fun ViewGroup.thumbnail(path: String?, sizeDp: Int = 72): ImageView =
    ImageView(context).apply {
        layoutParams = LinearLayout.LayoutParams(context.dp(sizeDp), context.dp(sizeDp))
        scaleType = ImageView.ScaleType.CENTER_CROP
        if (path != null) {
            val options = BitmapFactory.Options().apply { inSampleSize = 2 }
            setImageBitmap(BitmapFactory.decodeFile(path, options))
        }
    }.also { addView(it) }

/** Calls [onChange] once typing pauses (the core saves every change). */
fun EditText.onPause(delayMs: Long = 400, onChange: (String) -> Unit) {
    val save = Runnable { onChange(text.toString()) }
    addTextChangedListener(object : TextWatcher {
        override fun beforeTextChanged(s: CharSequence?, start: Int, count: Int, after: Int) {}
        override fun onTextChanged(s: CharSequence?, start: Int, before: Int, count: Int) {}
        override fun afterTextChanged(s: Editable?) {
            removeCallbacks(save)
            postDelayed(save, delayMs)
        }
    })
}

fun Context.toast(message: String) = Toast.makeText(this, message, Toast.LENGTH_LONG).show()
