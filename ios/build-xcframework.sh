#!/usr/bin/env bash
# Build the core for iOS as an XCFramework and put the generated Swift next
# to it, so ios/PhanAnhKit is a complete Swift package:
#
#   ios/build-xcframework.sh          # release-ffi profile
#   ios/build-xcframework.sh --debug
#
# Slices: aarch64-apple-ios (devices), and one simulator slice made of
# aarch64-apple-ios-sim + x86_64-apple-ios (Apple-silicon and Intel Macs).
# Needs macOS with Xcode (xcodebuild, lipo) and the Rust targets
# (`rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios`).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

fail() { echo "build-xcframework.sh: $*" >&2; exit 1; }

[[ "$(uname -s)" == "Darwin" ]] || fail "needs macOS with Xcode (this is $(uname -s))."
command -v xcodebuild >/dev/null 2>&1 || fail "xcodebuild not found: install Xcode and run xcode-select --install."
command -v lipo >/dev/null 2>&1 || fail "lipo not found: install the Xcode command line tools."

profile="release-ffi"; dir="release-ffi"
[[ "${1:-}" == "--debug" ]] && { profile="dev"; dir="debug"; }

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
installed="$(rustup target list --installed)"
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$installed" || fail "the Rust target $t is missing: rustup target add $t"
done

for t in "${targets[@]}"; do
  IPHONEOS_DEPLOYMENT_TARGET=16.0 cargo build -p phananh-ffi --profile "$profile" --target "$t"
done

# Bindings (Swift, header, modulemap) from the host build of the same code.
cargo xtask bindings
gen="$root/target/bindings/swift"

work="$root/target/ios"
rm -rf "$work"; mkdir -p "$work/headers" "$work/sim"
# Two headers (the FFI object's and the core's view models'), one C module.
cp "$gen/PhanAnhCoreFFI.h" "$gen/PhanAnhModelFFI.h" "$work/headers/"
cp "$gen/PhanAnhCoreFFI.modulemap" "$work/headers/module.modulemap"
lipo -create \
  "target/aarch64-apple-ios-sim/$dir/libphananh_ffi.a" \
  "target/x86_64-apple-ios/$dir/libphananh_ffi.a" \
  -output "$work/sim/libphananh_ffi.a"

out="$root/ios/PhanAnhKit/PhanAnhCoreFFI.xcframework"
rm -rf "$out"
xcodebuild -create-xcframework \
  -library "target/aarch64-apple-ios/$dir/libphananh_ffi.a" -headers "$work/headers" \
  -library "$work/sim/libphananh_ffi.a" -headers "$work/headers" \
  -output "$out"
# Both Swift files make the one `PhanAnhCore` module the app imports.
cp "$gen/PhanAnhCore.swift" "$gen/PhanAnhModel.swift" "$root/ios/PhanAnhKit/Sources/PhanAnhCore/"
echo "ready: $out and ios/PhanAnhKit/Sources/PhanAnhCore/{PhanAnhCore,PhanAnhModel}.swift"
