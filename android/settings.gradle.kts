// The Android app. Needs the Android SDK (API 35) and, for the native
// library, the NDK with cargo-ndk: see android/README.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
        // The Kotlin half of rustls-platform-verifier (Android's trust store
        // for the core's TLS), published by the rustls project.
        maven { url = uri("https://github.com/rustls/rustls-platform-verifier/raw/maven-archive/android-release-support/maven/") }
    }
}

rootProject.name = "phananh"
include(":app")
