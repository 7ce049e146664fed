#!/usr/bin/env bash
# Regenerates Sources/LookoutFormats/Generated/ from proto/. Run after changing a .proto; commit the
# result. Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift from swift-protobuf 1.39:
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   swift build -c release --package-path /tmp/swift-protobuf --product protoc-gen-swift
#   export PATH=/tmp/swift-protobuf/.build/release:$PATH
set -euo pipefail
cd "$(dirname "$0")/.."
out=Sources/LookoutFormats/Generated
rm -rf "$out" && mkdir -p "$out"
protoc --proto_path=proto --swift_out="$out" --swift_opt=Visibility=Internal --swift_opt=FileNaming=PathToUnderscores \
  $(cd proto && find . -name '*.proto' | sed 's|^\./||' | sort)
echo "generated $(ls "$out" | wc -l) files in $out"
