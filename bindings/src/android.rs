//! The Android app's one JNI entry point, called once at start-up
//! (`vn.phananh.app.platform.NativeTls.init(context)`): reqwest checks
//! certificates with rustls-platform-verifier, which asks Android's own
//! trust store through the JVM and must be handed the app's context first.
//! Compiled on every target so the host build checks it; off Android it
//! does nothing.

use jni::EnvUnowned;
use jni::objects::{JClass, JObject};

/// JNI: `NativeTls.init(context)` (a static method).
#[allow(unsafe_code)] // `no_mangle` is how the JVM finds a native method.
#[unsafe(no_mangle)]
pub extern "system" fn Java_vn_phananh_app_platform_NativeTls_init<'caller>(
    mut env: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
) {
    // `with_env` catches panics: nothing unwinds into the JVM.
    let outcome = env.with_env(|env| -> Result<(), jni::errors::Error> {
        #[cfg(target_os = "android")]
        rustls_platform_verifier::android::init_with_env(env, context)?;
        #[cfg(not(target_os = "android"))]
        let _ = (env, context);
        Ok(())
    });
    outcome.resolve::<jni::errors::ThrowRuntimeExAndDefault>()
}
