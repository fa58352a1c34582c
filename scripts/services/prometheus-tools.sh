#!/usr/bin/env bash
# Makes promtool available (Debian package prometheus, installed without starting its daemon) and prints its version.
set -euo pipefail

log() { printf '[promtool] %s\n' "$*" >&2; }
die() { printf '[promtool] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v promtool >/dev/null 2>&1; then
  log "installing the prometheus package for /usr/bin/promtool (the daemon is not started)"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1; then
    log "apt-get install failed; running apt-get update first"
    as_root apt-get update >/dev/null || die "apt-get update failed"
    as_root apt-get install -y --no-install-recommends prometheus >/dev/null || die "apt-get install prometheus failed"
  fi
  command -v promtool >/dev/null 2>&1 || die "the prometheus package is installed but promtool is not on PATH"
fi

printf 'promtool: %s (%s)\n' "$(command -v promtool)" "$(promtool --version 2>&1 | head -n 1)"
