#!/usr/bin/env bash
# Installs PostgreSQL if missing, starts its cluster on 127.0.0.1:5432 and ensures the unleash role + database exist (idempotent).
# Also ensures the modelgate role (LOGIN CREATEDB): the registry tests create a database per run and drop it after.
# usage: scripts/services/postgres.sh [start|stop]
#   start (default)  as above; remembers (in .services/postgres.started) when it was this script that started the cluster
#   stop             stops the cluster only if this script started it (a PostgreSQL that was already running is left alone)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STARTED_MARK="$ROOT/.services/postgres.started"

PG_PORT="${UNLEASH_DB_PORT:-5432}"
DB_USER="${UNLEASH_DB_USER:-unleash}"
DB_PASSWORD="${UNLEASH_DB_PASSWORD:-unleash}"
DB_NAME="${UNLEASH_DB_NAME:-unleash}"
MG_USER="${MODELGATE_DB_USER:-modelgate}"
MG_PASSWORD="${MODELGATE_DB_PASSWORD:-modelgate}"

log() { printf '[postgres] %s\n' "$*" >&2; }
die() { printf '[postgres] ERROR: %s\n' "$*" >&2; exit 1; }

# Run as root directly, or through sudo when this shell is not root.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Run a psql command as the postgres superuser over the local socket (cd / avoids "could not change directory").
psql_super() {
  (cd / && as_root runuser -u postgres -- psql -X -v ON_ERROR_STOP=1 -p "$PG_PORT" -tA "$@")
}

install_postgres() {
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -n "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    return 0
  fi
  # The package starts its cluster itself: it is ours to stop as well.
  mark_started
  log "installing postgresql with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y postgresql >/dev/null 2>&1; then
    log "apt-get install failed; running apt-get update first"
    as_root apt-get update >/dev/null || die "apt-get update failed"
    as_root apt-get install -y postgresql >/dev/null || die "apt-get install postgresql failed"
  fi
}

# Newest PostgreSQL major version installed under /usr/lib/postgresql.
detect_version() {
  local version
  version="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)"
  [ -n "$version" ] || die "no PostgreSQL server found under /usr/lib/postgresql"
  printf '%s' "$version"
}

start_cluster() {
  local version="$1" status
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
    log "creating cluster $version/main on port $PG_PORT"
    as_root pg_createcluster --port "$PG_PORT" "$version" main >/dev/null || die "pg_createcluster $version main failed"
  fi
  status="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $4 }')"
  if [ "$status" != "online" ]; then
    log "starting cluster $version/main"
    mark_started
    as_root pg_ctlcluster "$version" main start \
      || die "pg_ctlcluster $version main start failed (see /var/log/postgresql/postgresql-$version-main.log)"
  fi
  local port
  port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"
  [ "$port" = "$PG_PORT" ] || die "cluster $version/main listens on port $port, expected $PG_PORT"
  for _ in $(seq 1 30); do
    if pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then return 0; fi
    sleep 0.5
  done
  die "PostgreSQL is not accepting connections on 127.0.0.1:$PG_PORT after 15 s"
}

ensure_role_and_database() {
  # Names are passed as psql variables so quoting is done by psql (:'x' literal, :"x" identifier).
  psql_super -v u="$DB_USER" -v p="$DB_PASSWORD" >/dev/null <<'SQL' || die "could not create or update role $DB_USER"
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'u', :'p')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'u', :'p') \gexec
SQL
  psql_super -v u="$DB_USER" -v d="$DB_NAME" >/dev/null <<'SQL' || die "could not create database $DB_NAME"
SELECT format('CREATE DATABASE %I OWNER %I', :'d', :'u')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'d') \gexec
SQL
  PGPASSWORD="$DB_PASSWORD" psql -X -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" -tAc 'SELECT 1' >/dev/null 2>&1 \
    || die "cannot log in as $DB_USER to database $DB_NAME on 127.0.0.1:$PG_PORT"
  psql_super -v u="$MG_USER" -v p="$MG_PASSWORD" >/dev/null <<'SQL' || die "could not create or update role $MG_USER"
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'u', :'p')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'u', :'p') \gexec
SQL
}

mark_started() {
  mkdir -p "$(dirname "$STARTED_MARK")"
  : >"$STARTED_MARK"
}

cmd_stop() {
  if [ ! -e "$STARTED_MARK" ]; then
    log "not started by this script; left running"
    return 0
  fi
  local version
  version="$(detect_version)"
  log "stopping cluster $version/main (started by this script)"
  as_root pg_ctlcluster "$version" main stop -m fast || log "pg_ctlcluster $version main stop failed"
  rm -f "$STARTED_MARK"
}

main() {
  case "${1:-start}" in
    start) ;;
    stop) cmd_stop; return ;;
    *) die "usage: scripts/services/postgres.sh [start|stop]" ;;
  esac
  install_postgres
  local version
  version="$(detect_version)"
  start_cluster "$version"
  ensure_role_and_database
  log "ready: postgres://$DB_USER@127.0.0.1:$PG_PORT/$DB_NAME, role $MG_USER may create databases (PostgreSQL $version)"
}

main "$@"
