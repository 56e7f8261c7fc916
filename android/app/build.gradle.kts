import java.io.File

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

// The workspace root (two levels up): generated bindings and native
// libraries come from there.
val workspace: File = rootDir.parentFile

/** The rustls-platform-verifier version Cargo.lock pins: the Kotlin half must match. */
fun platformVerifierVersion(): String {
    val lines = File(workspace, "Cargo.lock").readLines()
    val at = lines.indexOfFirst { it.trim() == "name = \"rustls-platform-verifier-android\"" }
    require(at >= 0) { "rustls-platform-verifier-android is not in Cargo.lock" }
    return lines.drop(at + 1).first { it.trim().startsWith("version = ") }.substringAfter('"').substringBefore('"')
}

android {
    namespace = "vn.phananh.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "vn.phananh.app"
        minSdk = 24
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }

    sourceSets["main"].apply {
        // `cargo xtask bindings` writes the Kotlin; `android/build-native.sh` the .so files.
        java.srcDir(File(workspace, "target/bindings/kotlin"))
        jniLibs.srcDir(File(workspace, "target/android/jniLibs"))
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
}

dependencies {
    implementation("net.java.dev.jna:jna:5.19.1@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    implementation("rustls:rustls-platform-verifier:${platformVerifierVersion()}")
}

// Fail early and clearly when the generated parts are missing.
tasks.named("preBuild") {
    doFirst {
        val bindings = File(workspace, "target/bindings/kotlin/vn/phananh/core/phananh_ffi.kt")
        check(bindings.isFile) { "Kotlin bindings missing: run `cargo xtask bindings` in $workspace" }
        val libs = File(workspace, "target/android/jniLibs")
        check(libs.isDirectory) { "native libraries missing: run android/build-native.sh" }
    }
}
