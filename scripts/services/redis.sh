#!/usr/bin/env bash
# Installs redis-server if missing and runs it daemonized on 127.0.0.1 (no systemd): start|stop|status.
set -euo pipefail
shopt -s inherit_errexit

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$ROOT/.services"
DATA_DIR="$STATE_DIR/redis"
PID_FILE="$STATE_DIR/redis.pid"
LOG_FILE="$STATE_DIR/redis.log"
PORT="${REDIS_PORT:-6379}"

log() { printf '[redis] %s\n' "$*" >&2; }
die() { printf '[redis] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_redis() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && return 0
  log "installing redis-server with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends redis-server >/dev/null 2>&1; then
    log "apt-get install failed; running apt-get update first"
    as_root apt-get update >/dev/null || die "apt-get update failed"
    as_root apt-get install -y --no-install-recommends redis-server >/dev/null || die "apt-get install redis-server failed"
  fi
}

responding() {
  [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = "PONG" ]
}

running_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s' "$pid"
}

cmd_start() {
  install_redis
  if responding; then
    log "already running on 127.0.0.1:$PORT"
    return 0
  fi
  mkdir -p "$DATA_DIR"
  # No persistence: it is a cache for tests and local runs.
  redis-server --bind 127.0.0.1 --port "$PORT" --daemonize yes \
    --pidfile "$PID_FILE" --logfile "$LOG_FILE" --dir "$DATA_DIR" \
    --save '' --appendonly no >/dev/null \
    || die "redis-server failed to start (log: $LOG_FILE)"
  for _ in $(seq 1 50); do
    if responding; then
      log "ready: redis://127.0.0.1:$PORT (pid $(cat "$PID_FILE" 2>/dev/null || echo '?'))"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$LOG_FILE" >&2 || true
  die "redis-server does not answer PING on 127.0.0.1:$PORT after 5 s (log: $LOG_FILE)"
}

cmd_stop() {
  if ! responding; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  local pid=""
  pid="$(running_pid)" || log "stopping a redis-server not started by this script"
  redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do
    if ! responding && { [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; }; then
      rm -f "$PID_FILE"
      log "stopped"
      return 0
    fi
    sleep 0.1
  done
  die "redis-server on 127.0.0.1:$PORT did not stop"
}

cmd_status() {
  if command -v redis-cli >/dev/null 2>&1 && responding; then
    echo "running on 127.0.0.1:$PORT"
  else
    echo "not running"
    return 3
  fi
}

case "${1:-start}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: scripts/services/redis.sh start|stop|status   (env: REDIS_PORT, default 6379)" >&2; exit 2 ;;
esac
