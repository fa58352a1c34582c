#!/usr/bin/env bash
# Installs Debian's python3-grpcio and python3-grpc-tools (apt): the gRPC client the gRPC tests
# drive the gateway with (stubs compiled from proto/). Nothing to run: `start` only installs.
set -euo pipefail

log() { printf '[grpc-python] %s\n' "$*" >&2; }
die() { printf '[grpc-python] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian's interpreter: the packages install into /usr/lib/python3/dist-packages.
PYTHON=/usr/bin/python3
ready() { [ -x "$PYTHON" ] && "$PYTHON" -c 'import grpc, grpc_tools' >/dev/null 2>&1; }

case "${1:-start}" in
  start)
    if ready; then log "python3-grpcio $("$PYTHON" -c 'import grpc; print(grpc.__version__)') present"; exit 0; fi
    log "installing python3-grpcio python3-grpc-tools with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! as_root apt-get install -y --no-install-recommends python3-grpcio python3-grpc-tools >/dev/null 2>&1; then
      log "apt-get install failed; running apt-get update first"
      as_root apt-get update >/dev/null || die "apt-get update failed"
      as_root apt-get install -y --no-install-recommends python3-grpcio python3-grpc-tools >/dev/null || die "apt-get install failed"
    fi
    ready || die "python3-grpcio installed but '$PYTHON -c \"import grpc, grpc_tools\"' fails"
    log "python3-grpcio $("$PYTHON" -c 'import grpc; print(grpc.__version__)') installed"
    ;;
  status)
    ready && log "ready" || { log "missing"; exit 1; }
    ;;
  *)
    die "usage: $0 start|status"
    ;;
esac
