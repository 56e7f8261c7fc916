#!/usr/bin/env bash
# Build the core for Android with cargo-ndk: libphananh_ffi.so for
# arm64-v8a (phones), armeabi-v7a (older phones) and x86_64 (the emulator),
# into target/android/jniLibs/<abi>/, plus the Kotlin bindings.
#
#   android/build-native.sh            # release-ffi profile (small, stripped)
#   android/build-native.sh --debug    # quicker, with debug info
#   ABIS="x86_64" android/build-native.sh   # just the emulator's
#
# Needs: the Android NDK (ANDROID_NDK_HOME, or ANDROID_HOME/ndk/<version>),
# cargo-ndk (`cargo install cargo-ndk`), and the Rust targets
# (`rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

fail() { echo "build-native.sh: $*" >&2; exit 1; }

profile="release-ffi"
[[ "${1:-}" == "--debug" ]] && profile="dev"
abis="${ABIS:-arm64-v8a armeabi-v7a x86_64}"

if [[ -z "${ANDROID_NDK_HOME:-}" ]]; then
  if [[ -n "${ANDROID_HOME:-}" && -d "$ANDROID_HOME/ndk" ]]; then
    ANDROID_NDK_HOME="$(ls -d "$ANDROID_HOME"/ndk/* 2>/dev/null | sort -V | tail -1)"
  fi
fi
[[ -n "${ANDROID_NDK_HOME:-}" && -d "$ANDROID_NDK_HOME" ]] ||
  fail "the Android NDK was not found. Install it (Android Studio → SDK Manager → NDK) and set ANDROID_NDK_HOME."
export ANDROID_NDK_HOME

cargo ndk --version >/dev/null 2>&1 || fail "cargo-ndk is missing: cargo install cargo-ndk"

declare -A triple=([arm64-v8a]=aarch64-linux-android [armeabi-v7a]=armv7-linux-androideabi [x86_64]=x86_64-linux-android)
installed="$(rustup target list --installed 2>/dev/null || true)"
targets=()
for abi in $abis; do
  t="${triple[$abi]:-}"
  [[ -n "$t" ]] || fail "unknown ABI $abi (use: ${!triple[*]})"
  grep -qx "$t" <<<"$installed" || fail "the Rust target $t is missing: rustup target add $t"
  targets+=(-t "$abi")
done

out="$root/target/android/jniLibs"
mkdir -p "$out"
if [[ "$profile" == "release-ffi" ]]; then
  # As `cargo xtask bindings --release` measures it (docs/benchmarks.md):
  # the cdylib alone (with the rlib and staticlib beside it every Rust
  # symbol stays exported and LTO keeps dead code), SQLite without what the
  # phone never calls, relocations packed (Android 6+; minSdk is 24).
  LIBSQLITE3_FLAGS="$(sed -e 's/#.*//' "$root/bindings/phone-sqlite.flags" | xargs)"
  export LIBSQLITE3_FLAGS
  for abi in $abis; do
    t="${triple[$abi]}"
    cargo ndk --platform 24 -t "$abi" rustc -p phananh-ffi --profile "$profile" --lib --crate-type cdylib \
      -- -C link-arg=-Wl,--pack-dyn-relocs=android
    mkdir -p "$out/$abi"
    cp "$root/target/$t/$profile/libphananh_ffi.so" "$out/$abi/"
  done
else
  # minSdk 24, as the app.
  cargo ndk --platform 24 "${targets[@]}" -o "$out" build -p phananh-ffi --profile "$profile"
fi

# The Kotlin the app compiles against, from the host build of the same code.
cargo xtask bindings

echo "native libraries:"
find "$out" -name 'libphananh_ffi.so' -exec ls -l {} \;
