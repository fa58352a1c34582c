#!/usr/bin/env bash
# Starts/stops a local Unleash server (unleash-server from scripts/services/unleash on PostgreSQL) and writes .services/unleash.env.
set -euo pipefail
shopt -s inherit_errexit  # a die inside $(...) must stop the script too

usage() {
  cat >&2 <<'EOF'
usage: scripts/services/unleash.sh start|stop|status

  start   install PostgreSQL + unleash-server if needed, start Unleash on 127.0.0.1,
          wait for /health, ensure a client token, write .services/unleash.env
  stop    stop the server started by this script (and PostgreSQL, if postgres.sh started it)
  status  exit 0 when it is running and healthy, 3 when it is not

env: UNLEASH_PORT (4242), UNLEASH_ADMIN_TOKEN, UNLEASH_START_TIMEOUT_S (90),
     UNLEASH_DB_HOST/PORT/USER/PASSWORD/NAME
EOF
  exit 2
}

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
APP_DIR="$SCRIPT_DIR/unleash"
STATE_DIR="$ROOT/.services"
PID_FILE="$STATE_DIR/unleash.pid"
LOG_FILE="$STATE_DIR/unleash.log"
ENV_FILE="$STATE_DIR/unleash.env"

PORT="${UNLEASH_PORT:-4242}"
ADMIN_TOKEN="${UNLEASH_ADMIN_TOKEN:-*:*.modelgate-admin-secret}"
BASE_URL="http://127.0.0.1:$PORT"
START_TIMEOUT_S="${UNLEASH_START_TIMEOUT_S:-90}"
CLIENT_TOKEN_NAME="modelgate"

export SEND_TELEMETRY=false CHECK_VERSION=false SCARF_ANALYTICS=false
export UNLEASH_PORT="$PORT" UNLEASH_ADMIN_TOKEN="$ADMIN_TOKEN"

log() { printf '[unleash] %s\n' "$*" >&2; }
die() { printf '[unleash] ERROR: %s\n' "$*" >&2; exit 1; }

# Pid of the server this script started, if that process is still alive.
running_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: it must still be our node server.mjs.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'server\.mjs' || return 1
  printf '%s' "$pid"
}

healthy() {
  curl -fsS --max-time 2 "$BASE_URL/health" 2>/dev/null | grep -q '"GOOD"'
}

# Installs unleash-server from the committed lock file; re-installs only when the lock changes.
install_deps() {
  local stamp="$APP_DIR/node_modules/.modelgate-lock.sha256" want
  command -v node >/dev/null 2>&1 || die "node is not on PATH (Node 20 is required)"
  want="$(sha256sum "$APP_DIR/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$APP_DIR/node_modules/unleash-server" ]; then
    return 0
  fi
  log "installing unleash-server (npm ci in ${APP_DIR#"$ROOT"/})"
  local started=$SECONDS
  (cd "$APP_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed in $APP_DIR"
  printf '%s\n' "$want" >"$stamp"
  log "installed in $((SECONDS - started)) s"
}

# curl against the Admin API; prints the body, fails on HTTP errors with the body in the message.
admin_api() {
  local method="$1" path="$2" body="${3:-}" out status
  local args=(-sS --max-time 10 -X "$method" -H "Authorization: $ADMIN_TOKEN" -H 'Content-Type: application/json')
  [ -z "$body" ] || args+=(--data "$body")
  out="$(mktemp)"
  status="$(curl "${args[@]}" -o "$out" -w '%{http_code}' "$BASE_URL$path")" \
    || { rm -f "$out"; die "$method $path: request failed"; }
  if [ "${status:0:1}" != "2" ]; then
    local text
    text="$(head -c 500 "$out")"
    rm -f "$out"
    if [ "$status" = "401" ] || [ "$status" = "403" ]; then
      die "$method $path: HTTP $status with UNLEASH_ADMIN_TOKEN. Unleash creates its initial admin token only on an empty database; if the database was created with another secret, use that one (or drop the unleash database)."
    fi
    die "$method $path: HTTP $status: $text"
  fi
  cat "$out"
  rm -f "$out"
}

# Prints a JS expression ($2) evaluated over the JSON document $1 (as `doc`, with $3 as `name`).
json_get() {
  node -e 'const doc = JSON.parse(process.argv[1]); const fn = new Function("doc", "name", "return " + process.argv[2]); process.stdout.write(String(fn(doc, process.argv[3]) ?? ""));' "$@"
}

# Prints the secret of the client token named modelgate, creating the token if none exists.
ensure_client_token() {
  local tokens secret created
  tokens="$(admin_api GET /api/admin/api-tokens)"
  secret="$(json_get "$tokens" \
    '(doc.tokens ?? []).find((t) => t.tokenName === name && ["client", "backend"].includes(t.type))?.secret' \
    "$CLIENT_TOKEN_NAME")"
  if [ -z "$secret" ]; then
    log "creating client API token '$CLIENT_TOKEN_NAME'"
    created="$(admin_api POST /api/admin/api-tokens \
      "{\"tokenName\":\"$CLIENT_TOKEN_NAME\",\"type\":\"client\",\"environment\":\"production\",\"projects\":[\"*\"]}")"
    secret="$(json_get "$created" 'doc.secret')"
    [ -n "$secret" ] || die "token creation returned no secret: $created"
  fi
  printf '%s' "$secret"
}

write_env_file() {
  local client_token="$1" tmp
  tmp="$(mktemp "$STATE_DIR/unleash.env.XXXXXX")"
  cat >"$tmp" <<EOF
UNLEASH_URL=$BASE_URL/api
UNLEASH_API_TOKEN=$client_token
UNLEASH_ADMIN_URL=$BASE_URL
UNLEASH_ADMIN_TOKEN=$ADMIN_TOKEN
EOF
  mv "$tmp" "$ENV_FILE"
}

wait_healthy() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT_S))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if healthy; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$LOG_FILE" >&2 || true
      die "server exited during start-up (log: $LOG_FILE)"
    fi
    sleep 0.5
  done
  tail -n 30 "$LOG_FILE" >&2 || true
  die "no healthy answer from $BASE_URL/health after $START_TIMEOUT_S s (log: $LOG_FILE)"
}

cmd_start() {
  mkdir -p "$STATE_DIR"
  local pid started=$SECONDS
  if pid="$(running_pid)"; then
    healthy || wait_healthy "$pid"
    log "already running (pid $pid)"
  elif healthy; then
    log "something not started by this script already answers on $BASE_URL; using it"
  else
    case "${UNLEASH_DB_HOST:-127.0.0.1}" in
      127.0.0.1 | localhost) "$SCRIPT_DIR/postgres.sh" ;;
      *) log "using the PostgreSQL at $UNLEASH_DB_HOST (not managed by postgres.sh)" ;;
    esac
    install_deps
    log "starting on $BASE_URL (log: ${LOG_FILE#"$ROOT"/})"
    local boot=$SECONDS
    printf '=== %s unleash.sh start\n' "$(date -Is)" >>"$LOG_FILE"
    (cd "$APP_DIR" && exec setsid nohup node server.mjs </dev/null >>"$LOG_FILE" 2>&1) &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"
    wait_healthy "$pid"
    log "healthy $((SECONDS - boot)) s after launch (pid $pid, $((SECONDS - started)) s in all)"
  fi
  local client_token
  client_token="$(ensure_client_token)"
  write_env_file "$client_token"
  cat <<EOF
Unleash:      $BASE_URL  (admin UI/API; client API $BASE_URL/api)
Admin token:  $ADMIN_TOKEN
Env file:     ${ENV_FILE#"$ROOT"/}   (source it: set -a; . ${ENV_FILE#"$ROOT"/}; set +a)
EOF
}

cmd_stop() {
  stop_server
  # PostgreSQL too, when postgres.sh started it for this script (it leaves one it found running alone).
  case "${UNLEASH_DB_HOST:-127.0.0.1}" in
    127.0.0.1 | localhost) "$SCRIPT_DIR/postgres.sh" stop ;;
  esac
}

stop_server() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping pid $pid"
  # setsid made the server its own process-group leader: signal the whole group.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; log "stopped"; return 0; }
    sleep 0.5
  done
  log "still alive after 15 s; sending SIGKILL"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

cmd_status() {
  local pid
  if pid="$(running_pid)" && healthy; then
    echo "running (pid $pid) on $BASE_URL, healthy"
  elif [ -n "${pid:-}" ]; then
    echo "running (pid $pid) on $BASE_URL, NOT healthy (log: $LOG_FILE)"
    return 3
  elif healthy; then
    echo "an Unleash not started by this script answers on $BASE_URL"
  else
    echo "not running"
    return 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) usage ;;
esac
