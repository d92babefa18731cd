#!/usr/bin/env bash
# Starts Kafka, PostgreSQL and the trace dashboard, runs every test against them, stops them again.
# Servers already named by FORVALT_KAFKA_BOOTSTRAP / FORVALT_PG_URL / FORVALT_ZIPKIN_URL are used as they are.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=deploy/local

started=()
cleanup() {
  local s
  for s in "${started[@]}"; do bash "$here/$s.sh" stop || true; done
}
trap cleanup EXIT

if [[ -z "${FORVALT_KAFKA_BOOTSTRAP:-}" ]]; then
  bash "$here/kafka.sh" status >/dev/null 2>&1 || started+=(kafka)
  bash "$here/kafka.sh" start >/dev/null
  export FORVALT_KAFKA_BOOTSTRAP=127.0.0.1:${KAFKA_PORT:-19092}
fi
if [[ -z "${FORVALT_PG_URL:-}" ]]; then
  bash "$here/postgres.sh" status >/dev/null 2>&1 || started+=(postgres)
  bash "$here/postgres.sh" start >/dev/null
  export FORVALT_PG_URL=postgresql+asyncpg://forvalt:forvalt@127.0.0.1:${PG_PORT:-55432}
fi
if [[ -z "${FORVALT_ZIPKIN_URL:-}" ]]; then
  bash "$here/zipkin.sh" status >/dev/null 2>&1 || started+=(zipkin)
  bash "$here/zipkin.sh" start >/dev/null
  export FORVALT_ZIPKIN_URL=http://127.0.0.1:${ZIPKIN_PORT:-9411}
fi

uv run pytest -q "$@"
