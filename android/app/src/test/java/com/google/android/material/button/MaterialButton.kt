package com.google.android.material.button

import android.content.Context
import android.widget.Button

/**
 * Stands in for Material's button, which the Accessibility Test Framework
 * 3.1 asks about (`instanceof MaterialButton`) on every view: Material is
 * not on Maven Central and the app does not use it, so no view is one.
 */
open class MaterialButton(context: Context) : Button(context) {
    open fun isCheckable(): Boolean = false
}
