#!/usr/bin/env bash
# The whole platform on one machine: Kafka, the trace dashboard, PostgreSQL when it is installed
# (else each service keeps an embedded SQLite file), and the six services.
#
# usage: deploy/local/platform.sh up|down|status   (FORVALT_STORAGE=sqlite|postgres to choose storage)
set -euo pipefail
_svc_name=platform
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
cd "$FORVALT_REPO_ROOT"

SERVICES=(intake assessment decision coordination appeals notification)
declare -A PORTS=([intake]=8001 [assessment]=8002 [decision]=8003 [coordination]=8004 [appeals]=8005 [notification]=8006)
RUN="${FORVALT_RUN_ROOT}/services"
PG_PORT="${PG_PORT:-55432}"

# FORVALT_STORAGE=sqlite|postgres forces the choice; by default PostgreSQL is used when installed.
pg_installed() {
  case "${FORVALT_STORAGE:-}" in
    sqlite) return 1 ;;
    postgres) return 0 ;;
    *) compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null ;;
  esac
}

service_pid() { cat "$RUN/$1.pid" 2>/dev/null || true; }

service_running() {
  local pid
  pid="$(service_pid "$1")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

up() {
  mkdir -p "$RUN"
  local here="$FORVALT_LOCAL_DIR"
  bash "$here/kafka.sh" start >/dev/null
  bash "$here/zipkin.sh" start >/dev/null
  local storage="embedded SQLite files in ${FORVALT_RUN_ROOT}/data"
  if pg_installed; then
    bash "$here/postgres.sh" start >/dev/null
    storage="PostgreSQL on 127.0.0.1:${PG_PORT}"
  fi
  export FORVALT_KAFKA_BOOTSTRAP="127.0.0.1:${KAFKA_PORT:-19092}"
  export FORVALT_TELEMETRY_EXPORTER="${FORVALT_TELEMETRY_EXPORTER:-zipkin}"
  export FORVALT_ZIPKIN_URL="http://127.0.0.1:${ZIPKIN_PORT:-9411}"
  export FORVALT_DATA_DIR="${FORVALT_RUN_ROOT}/data"
  local s upper
  for s in "${SERVICES[@]}"; do
    if service_running "$s"; then
      log "$s already running (pid $(service_pid "$s"))"
      continue
    fi
    upper="${s^^}"
    if pg_installed; then
      export "FORVALT_${upper}_DATABASE_URL=postgresql+asyncpg://forvalt:forvalt@127.0.0.1:${PG_PORT}/${s}"
    fi
    export "FORVALT_${upper}_HTTP_PORT=${PORTS[$s]}"
    nohup uv run --frozen python -m "services.${s}.main" >>"$RUN/$s.log" 2>&1 &
    echo $! >"$RUN/$s.pid"
  done
  for s in "${SERVICES[@]}"; do
    local deadline=$(( $(now_s) + 120 ))
    until curl -fsS "http://127.0.0.1:${PORTS[$s]}/health/ready" >/dev/null 2>&1; do
      service_running "$s" || die "$s stopped; see $RUN/$s.log"
      (( $(now_s) < deadline )) || die "$s not ready after 120 s; see $RUN/$s.log"
      sleep 0.5
    done
  done
  echo
  echo "Forvalt is up. Storage: ${storage}."
  echo
  for s in "${SERVICES[@]}"; do
    printf '  %-13s API docs  http://127.0.0.1:%s/docs\n' "$s" "${PORTS[$s]}"
  done
  echo
  echo "  Trace dashboard      ${FORVALT_ZIPKIN_URL}/zipkin/  (search a case: case.id=<id>)"
  echo "  Event catalogue      contracts/schemas/ (JSON Schema of every event type)"
  echo "  Development token    make token MUNICIPALITY=3426"
  echo "  Logs                 ${RUN}/<service>.log      Stop: make down"
}

down() {
  local s pid
  for s in "${SERVICES[@]}"; do
    pid="$(service_pid "$s")"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      # uv forwards SIGTERM to the service, which drains and shuts down gracefully.
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/$s.pid"
  done
  bash "$FORVALT_LOCAL_DIR/zipkin.sh" stop >/dev/null || true
  bash "$FORVALT_LOCAL_DIR/kafka.sh" stop >/dev/null || true
  if pg_installed; then bash "$FORVALT_LOCAL_DIR/postgres.sh" stop >/dev/null || true; fi
  log "stopped"
}

status() {
  local s
  for s in "${SERVICES[@]}"; do
    if service_running "$s"; then echo "$s running (pid $(service_pid "$s"))"; else echo "$s stopped"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
