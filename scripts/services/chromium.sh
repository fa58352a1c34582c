#!/usr/bin/env bash
# Headless Chromium for the ops console's end-to-end test (test/e2e/console.test.ts): Debian's
# `chromium` package from apt, driven by playwright-core. Never `npx playwright install` (no
# browser download from a CDN). Idempotent: does nothing when /usr/bin/chromium is there.
set -euo pipefail

CHROMIUM="${MODELGATE_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
echo "chromium: $("$CHROMIUM" --version 2>/dev/null | head -1)"
