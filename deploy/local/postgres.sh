#!/usr/bin/env bash
# Local PostgreSQL cluster for development and tests, without Docker. Listens on 127.0.0.1 only.
#
# usage: deploy/local/postgres.sh start|stop|status|restart|psql [DB]
#
#   start    (installs the Debian "postgresql" package if no server binaries are found),
#            creates the cluster once, starts it, waits until it accepts connections, makes sure
#            the role "forvalt" (password "forvalt", superuser: tests CREATE DATABASE) and one
#            database per service exist; prints one DSN per database on stdout.
#            Does nothing but the role/database check (exit 0) if it is already running.
#   stop     pg_ctl stop -m fast. Exit 0 if it was not running.
#   status   exit 0 if running and accepting connections, 1 otherwise.
#   psql     open psql as forvalt on DB (default intake).
#
# Environment:
#   PG_PORT          TCP port, default 55432
#   PG_DATABASES     space-separated databases to create,
#                    default "intake assessment decision coordination appeals notification"
#   PG_BINDIR        directory with pg_ctl/initdb/postgres (default: highest /usr/lib/postgresql/*/bin)
#   FORVALT_RUN_DIR  run/data directory root (default: <repo>/.run); the cluster goes to .../postgres
#
# This is a throw-away dev/test cluster: fsync, synchronous_commit and full_page_writes are off
# (fast, but the data does not survive a machine crash).
#
# PostgreSQL refuses to run as root. When run as root, the server runs as the "postgres" OS user
# (created by the Debian package, or here with useradd), which must be able to reach the data
# directory. If it cannot (e.g. the repository lives under a home directory that other users
# cannot traverse), the cluster is put in /tmp/forvalt-pg-<hash of the run dir> instead, and
# <run dir>/postgres/LOCATION says where. When run as another user, everything runs as that user.
set -euo pipefail

_svc_name=postgres
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

PG_PORT="${PG_PORT:-55432}"
PG_DATABASES="${PG_DATABASES:-intake assessment decision coordination appeals notification}"
PG_ROLE=forvalt
PG_PASSWORD=forvalt
PG_OS_USER=postgres

RUN_DIR="${FORVALT_RUN_ROOT}/postgres"

# ---------------------------------------------------------------------------------------------
# Server binaries
# ---------------------------------------------------------------------------------------------

find_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then
    [[ -x "${PG_BINDIR}/pg_ctl" ]] && { echo "$PG_BINDIR"; return 0; }
    die "PG_BINDIR=${PG_BINDIR} has no pg_ctl"
  fi
  local d
  d="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$d" && -x "${d}/pg_ctl" && -x "${d}/initdb" ]]; then
    echo "$d"
    return 0
  fi
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null || true)"
    if [[ -n "$d" && -x "${d}/pg_ctl" && -x "${d}/initdb" ]]; then
      echo "$d"
      return 0
    fi
  fi
  return 1
}

install_pg() {
  [[ $EUID -eq 0 ]] || die "PostgreSQL server binaries not found; install the 'postgresql' package (needs root) or set PG_BINDIR"
  require_cmd apt-get
  local t0 added_policy=0
  t0="$(now_s)"
  log "PostgreSQL server binaries not found; installing the Debian 'postgresql' package ..."
  # Keep the package from starting the Debian-managed cluster service: we run our own cluster.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# temporary, from deploy/local/postgres.sh: do not start services during install\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
  fi
  local rc=0
  {
    apt-get update -q >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >&2
  } || rc=$?
  if [[ $added_policy -eq 1 ]]; then
    rm -f /usr/sbin/policy-rc.d
  fi
  [[ $rc -eq 0 ]] || die "apt-get install postgresql failed (exit $rc)"
  log "installed PostgreSQL in $(elapsed "$t0")s"
}

ensure_os_user() {
  [[ $EUID -eq 0 ]] || return 0
  if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    log "creating OS user ${PG_OS_USER}"
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
      --shell /usr/sbin/nologin "$PG_OS_USER"
  fi
}

# Runs a command as the server's OS user (postgres when we are root), from a directory it can
# read, without the lock file descriptor (the server must not hold the lock).
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@" 9>&-)
  else
    (cd / && "$@" 9>&-)
  fi
}

# ---------------------------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------------------------

# Sets PG_HOME (cluster home: data/, log, socket) and SOCK_DIR.
resolve_dirs() {
  local hash
  hash="$(printf '%s' "$FORVALT_RUN_ROOT" | sha256sum | cut -c1-12)"
  mkdir -p "$RUN_DIR"
  PG_HOME="$RUN_DIR"
  if [[ $EUID -eq 0 ]]; then
    chown "$PG_OS_USER:$PG_OS_USER" "$RUN_DIR"
    chmod 755 "$RUN_DIR"
    if ! runuser -u "$PG_OS_USER" -- test -r "$RUN_DIR" -a -w "$RUN_DIR" -a -x "$RUN_DIR" 2>/dev/null; then
      # A parent directory of the repository is not traversable by the postgres user.
      PG_HOME="/tmp/forvalt-pg-${hash}"
      mkdir -p "$PG_HOME"
      chown "$PG_OS_USER:$PG_OS_USER" "$PG_HOME"
      chmod 700 "$PG_HOME"
      if [[ ! -f "${RUN_DIR}/LOCATION" ]] || [[ "$(cat "${RUN_DIR}/LOCATION")" != "$PG_HOME" ]]; then
        echo "$PG_HOME" >"${RUN_DIR}/LOCATION"
        log "user ${PG_OS_USER} cannot reach ${RUN_DIR}; using ${PG_HOME} for the cluster"
      fi
    fi
  fi
  DATA_DIR="${PG_HOME}/data"
  LOG_FILE="${PG_HOME}/postgres.log"
  SOCK_DIR="$PG_HOME"
  # Unix socket paths are limited to 107 bytes.
  if (( ${#SOCK_DIR} + ${#PG_PORT} + 12 > 100 )); then
    SOCK_DIR="/tmp/forvalt-pg-sock-${hash}"
    mkdir -p "$SOCK_DIR"
    [[ $EUID -eq 0 ]] && chown "$PG_OS_USER:$PG_OS_USER" "$SOCK_DIR"
    chmod 700 "$SOCK_DIR"
  fi
}

setup() {
  require_cmd sha256sum
  if ! PG_BIN="$(find_bindir)"; then
    install_pg
    PG_BIN="$(find_bindir)" || die "PostgreSQL server binaries still not found after install"
  fi
  ensure_os_user
  resolve_dirs
}

# ---------------------------------------------------------------------------------------------
# Cluster
# ---------------------------------------------------------------------------------------------

ensure_cluster() {
  if [[ -f "${DATA_DIR}/PG_VERSION" ]]; then
    return 0
  fi
  log "creating cluster in ${DATA_DIR} ($("${PG_BIN}/postgres" --version)) ..."
  rm -rf "$DATA_DIR"
  as_pg "${PG_BIN}/initdb" -D "$DATA_DIR" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=md5 >"${PG_HOME}/initdb.log" 2>&1 || {
      show_log_tail "${PG_HOME}/initdb.log"
      die "initdb failed"
    }
  # Our settings live in forvalt.conf (rewritten on every start); pg_hba is ours too.
  printf "\n# added by deploy/local/postgres.sh\ninclude_if_exists = 'forvalt.conf'\n" |
    as_pg tee -a "${DATA_DIR}/postgresql.conf" >/dev/null
}

write_config() {
  as_pg tee "${DATA_DIR}/forvalt.conf" >/dev/null <<EOF
# Written by deploy/local/postgres.sh on every start; edits are overwritten.
listen_addresses = '127.0.0.1'
port = ${PG_PORT}
unix_socket_directories = '${SOCK_DIR}'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 128MB
# Throw-away dev/test cluster: trade durability for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
log_timezone = 'UTC'
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  # Socket (only postgres and root can use it): no password. TCP on 127.0.0.1: password
  # (md5 also accepts the SCRAM-stored password of PostgreSQL 14+, and then uses SCRAM).
  as_pg tee "${DATA_DIR}/pg_hba.conf" >/dev/null <<EOF
# Written by deploy/local/postgres.sh on every start; edits are overwritten.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   md5
EOF
}

running() {
  [[ -f "${DATA_DIR}/PG_VERSION" ]] || return 1
  as_pg "${PG_BIN}/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1
}

accepting() {
  "${PG_BIN}/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 5 2>/dev/null
}

psql_admin() {
  as_pg "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"
}

ensure_role_and_dbs() {
  psql_admin <<SQL >/dev/null
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${PG_ROLE}') THEN
    CREATE ROLE ${PG_ROLE} LOGIN SUPERUSER PASSWORD '${PG_PASSWORD}';
  END IF;
END
\$\$;
SQL
  local db created=()
  for db in $PG_DATABASES; do
    [[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]] || die "invalid database name: $db"
    if [[ -z "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '${db}'")" ]]; then
      psql_admin -c "CREATE DATABASE ${db} OWNER ${PG_ROLE}"
      created+=("$db")
    fi
  done
  if (( ${#created[@]} )); then
    log "created database(s): ${created[*]}"
  fi
}

print_dsns() {
  local db
  for db in $PG_DATABASES; do
    echo "postgresql://${PG_ROLE}:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/${db}"
  done
}

cmd_start() {
  local t0
  t0="$(now_s)"
  mkdir -p "$FORVALT_RUN_ROOT"
  take_lock "${FORVALT_RUN_ROOT}/.postgres.lock"
  setup

  if running; then
    if accepting; then
      ensure_role_and_dbs
      log "already running on 127.0.0.1:${PG_PORT} (data ${DATA_DIR})"
      print_dsns
      return 0
    fi
    log "server process exists but is not accepting connections yet; waiting ..."
  else
    if port_open "$PG_PORT"; then
      die "port ${PG_PORT} on 127.0.0.1 is already in use by another process (set PG_PORT)"
    fi
    ensure_cluster
    write_config
    log "starting PostgreSQL on 127.0.0.1:${PG_PORT} ..."
    if ! as_pg "${PG_BIN}/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 start >/dev/null 2>&1; then
      show_log_tail "$LOG_FILE"
      die "pg_ctl start failed (log: ${LOG_FILE})"
    fi
  fi

  local deadline=$(( $(now_s) + 60 ))
  until accepting; do
    (( $(now_s) < deadline )) || { show_log_tail "$LOG_FILE"; die "PostgreSQL is not accepting connections on 127.0.0.1:${PG_PORT}"; }
    sleep 0.5
  done
  ensure_role_and_dbs
  log "ready on 127.0.0.1:${PG_PORT} after $(elapsed "$t0")s (data ${DATA_DIR}, log ${LOG_FILE})"
  print_dsns
}

cmd_stop() {
  mkdir -p "$FORVALT_RUN_ROOT"
  take_lock "${FORVALT_RUN_ROOT}/.postgres.lock"
  PG_BIN="$(find_bindir)" || { log "not running (no PostgreSQL binaries)"; return 0; }
  id -u "$PG_OS_USER" >/dev/null 2>&1 || [[ $EUID -ne 0 ]] || { log "not running"; return 0; }
  resolve_dirs
  if ! running; then
    log "not running"
    return 0
  fi
  log "stopping PostgreSQL (data ${DATA_DIR}) ..."
  if ! as_pg "${PG_BIN}/pg_ctl" -D "$DATA_DIR" stop -m fast -w -t 30 >/dev/null 2>&1; then
    warn "fast shutdown did not finish in 30s; using immediate shutdown"
    as_pg "${PG_BIN}/pg_ctl" -D "$DATA_DIR" stop -m immediate -w -t 30 >/dev/null 2>&1 || die "could not stop PostgreSQL"
  fi
  log "stopped"
}

cmd_status() {
  PG_BIN="$(find_bindir)" || { log "not installed"; return 1; }
  id -u "$PG_OS_USER" >/dev/null 2>&1 || [[ $EUID -ne 0 ]] || { log "not running"; return 1; }
  resolve_dirs
  if running && accepting; then
    log "running on 127.0.0.1:${PG_PORT} (data ${DATA_DIR})"
    return 0
  fi
  log "not running"
  return 1
}

cmd_psql() {
  PG_BIN="$(find_bindir)" || die "PostgreSQL is not installed"
  exec "${PG_BIN}/psql" "postgresql://${PG_ROLE}:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/${1:-intake}"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  psql) shift; cmd_psql "$@" ;;
  *) usage_exit "restart|psql [DB]" ;;
esac
