package vn.phananh.app.ui

import android.app.Activity
import android.graphics.Bitmap
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Rect
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.CompoundButton
import android.widget.EditText
import android.widget.ImageView
import android.widget.LinearLayout
import android.widget.ListView
import android.widget.ScrollView
import android.widget.Spinner
import android.widget.TextView
import kotlin.math.max
import kotlin.math.min
import kotlin.math.pow

/**
 * What the screen must be for the people who hold the phone, checked on
 * real pixels: nothing clipped or overlapping (2.0× fonts on a 360 dp
 * phone included), every control named for a screen reader, every touch
 * target at least 48 dp, every text at least 4.5:1 against what is behind it.
 * Returns the findings (empty when all is well).
 */
object Checks {
    /** The screen as the user sees it (what fits on the phone). */
    fun screen(activity: Activity): Bitmap {
        val root = activity.window.decorView
        val bitmap = Bitmap.createBitmap(root.width, root.height, Bitmap.Config.ARGB_8888)
        root.draw(Canvas(bitmap))
        return bitmap
    }

    /**
     * The whole content, scrolled parts included (a scrolling screen's
     * content is laid out at full height), on the window's background.
     */
    fun whole(activity: Activity): Pair<View, Bitmap> {
        val content = activity.views.firstOrNull { it is ScrollView }?.let { (it as ScrollView).getChildAt(0) }
            ?: activity.window.decorView
        val bitmap = Bitmap.createBitmap(content.width, max(1, content.height), Bitmap.Config.ARGB_8888)
        val canvas = Canvas(bitmap)
        activity.window.decorView.background?.let { bg ->
            bg.setBounds(0, 0, bitmap.width, bitmap.height)
            bg.draw(canvas)
        }
        content.draw(canvas)
        return content to bitmap
    }

    fun run(activity: Activity): List<String> {
        val (root, pixels) = whole(activity)
        val dp = activity.resources.displayMetrics.density
        val findings = mutableListOf<String>()
        val shown = viewsUnder(root).filter { it.isShown && it.width > 0 && it.height > 0 }
        fun name(v: View) = "${v.javaClass.simpleName}(${(v as? TextView)?.text ?: v.contentDescription ?: ""})"

        for (v in shown) {
            val r = rectIn(root, v)
            // Inside the screen's width: nothing pushed off the edge.
            if (r.left < 0 || r.right > root.width + 1) findings += "${name(v)} goes past the screen's edge ($r)"

            if (v is TextView && v.text.isNotEmpty()) {
                val layout = v.layout
                val room = v.width - v.totalPaddingLeft - v.totalPaddingRight
                if (layout != null && v.ellipsize == null && v !is EditText) {
                    for (line in 0 until layout.lineCount) {
                        // The ink of the line: a space where it wrapped takes no room.
                        val start = layout.getLineStart(line)
                        var end = layout.getLineEnd(line)
                        while (end > start && v.text[end - 1].isWhitespace()) end--
                        val wide = layout.paint.measureText(v.text, start, end)
                        if (wide > room + 1) findings += "${name(v)}: line ${line + 1} is wider than its box ($wide > $room)"
                    }
                    val tall = v.height - v.totalPaddingTop - v.totalPaddingBottom
                    if (layout.height > tall + 1) findings += "${name(v)}: text taller than its box (${layout.height} > $tall)"
                }
            }
            // A one-line field's hint does not wrap: it must fit.
            if (v is EditText && v.text.isEmpty() && !v.hint.isNullOrEmpty() && v.maxLines == 1) {
                val room = v.width - v.totalPaddingLeft - v.totalPaddingRight
                val wide = v.paint.measureText(v.hint.toString())
                if (wide > room + 1) findings += "${name(v)}: the hint \"${v.hint}\" is cut off"
            }
            if (v.isEnabled && isControl(v)) {
                if (v.height < 48 * dp - 1 || v.width < 48 * dp - 1) {
                    findings += "${name(v)} is ${(v.width / dp).toInt()}×${(v.height / dp).toInt()} dp, under 48 dp"
                }
                if (spokenName(v, root).isNullOrBlank()) findings += "${v.javaClass.simpleName} has no name for a screen reader"
            }
            if (v is ImageView && v !is android.widget.ImageButton && v.drawable != null &&
                v.importantForAccessibility != View.IMPORTANT_FOR_ACCESSIBILITY_NO &&
                v.contentDescription.isNullOrBlank()
            ) {
                findings += "an image without a description"
            }
            if (v is TextView && v.isEnabled) {
                contrastOf(v, root, pixels)?.let { ratio ->
                    if (ratio < 4.5) findings += "${name(v)}: contrast ${"%.2f".format(ratio)}:1 is under 4.5:1"
                }
            }
        }
        // Siblings side by side or stacked never cover each other.
        for (group in shown.filterIsInstance<LinearLayout>()) {
            val kids = (0 until group.childCount).map { group.getChildAt(it) }.filter { it.isShown && it.width > 0 && it.height > 0 }
            for (i in kids.indices) for (j in i + 1 until kids.size) {
                val a = Rect(kids[i].left, kids[i].top, kids[i].right, kids[i].bottom)
                val b = Rect(kids[j].left, kids[j].top, kids[j].right, kids[j].bottom)
                if (Rect.intersects(a, b) && a.intersect(b) && a.width() > 1 && a.height() > 1) {
                    findings += "${name(kids[i])} and ${name(kids[j])} overlap"
                }
            }
        }
        // The recycled rows of a list are touch targets too.
        shown.filterIsInstance<ListView>().forEach { list ->
            for (i in list.headerViewsCount until list.childCount) {
                val row = list.getChildAt(i)
                if (row.height < 48 * dp - 1) findings += "a list row is ${(row.height / dp).toInt()} dp tall, under 48 dp"
            }
        }
        findings += atf(activity)
        return findings.distinct()
    }

    /**
     * Google's Accessibility Test Framework (the checks Espresso and the
     * Play pre-launch report run), every check of its latest preset on the
     * whole window; its errors are findings. Called by reflection: Maven
     * Central has it only as an .aar, whose classes reach the tests' run
     * time (unpacked by the pom) but not Maven's compile class path. Its
     * contrast check wants a screenshot API it lacks on the JVM; the pixel
     * check above covers contrast.
     */
    private fun atf(activity: Activity): List<String> {
        val base = "com.google.android.apps.common.testing.accessibility.framework"
        val loader = activity.javaClass.classLoader
        atfStrings(base, loader)
        val hierarchyType = Class.forName("$base.uielement.AccessibilityHierarchyAndroid", true, loader)
        val builder = hierarchyType.getMethod("newBuilder", View::class.java).invoke(null, activity.window.decorView)
        val hierarchy = builder.javaClass.getMethod("build").invoke(builder)
        val presets = Class.forName("$base.AccessibilityCheckPreset", true, loader)
        val latest = presets.getField("LATEST").get(null)
        val checks = presets.getMethod("getAccessibilityHierarchyChecksForPreset", presets).invoke(null, latest) as Iterable<*>
        val hierarchyBase = Class.forName("$base.uielement.AccessibilityHierarchy", true, loader)
        return checks.flatMap { check ->
            val run = check!!.javaClass.getMethod("runCheckOnHierarchy", hierarchyBase)
            (run.invoke(check, hierarchy) as List<*>).mapNotNull { result ->
                val type = result!!.javaClass.getMethod("getType").invoke(result).toString()
                if (type != "ERROR") return@mapNotNull null
                // (Its messages live in an .aar's assets, which a JVM test has not: the check's name and result id say it.)
                val id = result.javaClass.getMethod("getResultId").invoke(result)
                val element = result.javaClass.getMethod("getElement").invoke(result)
                val what = element?.let {
                    val cls = it.javaClass.getMethod("getClassName").invoke(it)
                    val text = it.javaClass.getMethod("getText").invoke(it) ?: it.javaClass.getMethod("getContentDescription").invoke(it)
                    " ($cls \"${text ?: ""}\")"
                } ?: ""
                "ATF ${check.javaClass.simpleName} #$id$what"
            }
        }
    }

    /**
     * The framework reads its words (English, for the redundant-description
     * check) through a provider; on Android they come from the app's assets,
     * here from the same file on the class path.
     */
    private fun atfStrings(base: String, loader: ClassLoader) {
        val provider = Class.forName("$base.strings.StringManager\$ResourceBundleProvider", true, loader)
        val bundle = object : java.util.ListResourceBundle() {
            override fun getContents(): Array<Array<Any>> {
                val xml = loader.getResourceAsStream("assets/strings.xml") ?: error("the framework's strings.xml is not on the class path")
                val doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml)
                val nodes = doc.getElementsByTagName("string")
                return Array(nodes.length) { i ->
                    val node = nodes.item(i) as org.w3c.dom.Element
                    arrayOf(node.getAttribute("name"), node.textContent)
                }
            }
        }
        val instance = java.lang.reflect.Proxy.newProxyInstance(loader, arrayOf(provider)) { _, _, _ -> bundle }
        Class.forName("$base.strings.StringManager", true, loader).getMethod("setResourceBundleProvider", provider).invoke(null, instance)
    }

    private fun isControl(v: View): Boolean =
        v is Button || v is CompoundButton || v is EditText || v is Spinner || (v.isClickable && v !is ViewGroup)

    /** What TalkBack would announce as the control's name. */
    private fun spokenName(v: View, root: View): CharSequence? {
        v.contentDescription?.takeIf { it.isNotBlank() }?.let { return it }
        if (v is EditText) v.hint?.takeIf { it.isNotBlank() }?.let { return it }
        if (v is TextView && v !is EditText) v.text?.takeIf { it.isNotBlank() }?.let { return it }
        if (v.id != View.NO_ID) {
            viewsUnder(root).filterIsInstance<TextView>().firstOrNull { it.labelFor == v.id }?.let { return it.text }
        }
        if (v is Spinner) (v.selectedView as? TextView)?.text?.takeIf { it.isNotBlank() }?.let { return it }
        return null
    }

    private fun rectIn(root: View, v: View): Rect {
        var x = 0
        var y = 0
        var at: View? = v
        while (at != null && at !== root) {
            x += at.left - at.scrollX
            y += at.top - at.scrollY
            at = at.parent as? View
        }
        if (at == null) {
            // Not under root (a header drawn by the list): use window positions.
            val a = IntArray(2).also { v.getLocationInWindow(it) }
            val b = IntArray(2).also { root.getLocationInWindow(it) }
            x = a[0] - b[0]
            y = a[1] - b[1]
        }
        return Rect(x, y, x + v.width, y + v.height)
    }

    /**
     * The text's contrast from the pixels under its lines: the commonest
     * colour is the background, the colour farthest from it the ink.
     */
    private fun contrastOf(v: TextView, root: View, pixels: Bitmap): Double? {
        val layout = v.layout ?: return null
        val box = rectIn(root, v)
        val lines = 0 until layout.lineCount
        val left = box.left + v.totalPaddingLeft + lines.minOf { layout.getLineLeft(it) }.toInt()
        val top = box.top + v.totalPaddingTop
        val right = box.left + v.totalPaddingLeft + lines.maxOf { layout.getLineRight(it) }.toInt()
        val bottom = top + layout.height
        // Only text wholly on the picture (a list's last row may be cut by the screen's edge).
        if (right - left < 4 || bottom - top < 4 || left < 0 || top < 0 || right > pixels.width || bottom > pixels.height) return null
        val counts = HashMap<Int, Int>()
        for (y in top until bottom) for (x in left until right) {
            val c = pixels.getPixel(x, y) or 0xFF000000.toInt()
            counts[c] = (counts[c] ?: 0) + 1
        }
        val background = counts.maxByOrNull { it.value }!!.key
        // Ink: the most distant colour seen at least 3 times (not a stray pixel).
        val ink = counts.filter { it.value >= 3 }.keys.maxByOrNull { ratio(it, background) } ?: return null
        return ratio(ink, background)
    }

    fun ratio(a: Int, b: Int): Double {
        val la = luminance(a)
        val lb = luminance(b)
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }

    private fun luminance(c: Int): Double {
        fun channel(v: Int): Double {
            val s = v / 255.0
            return if (s <= 0.03928) s / 12.92 else ((s + 0.055) / 1.055).pow(2.4)
        }
        return 0.2126 * channel(Color.red(c)) + 0.7152 * channel(Color.green(c)) + 0.0722 * channel(Color.blue(c))
    }
}
