#!/usr/bin/env bash
# Starts the local dev/test servers (no Docker), all on 127.0.0.1.
#
# usage: deploy/local/up.sh [kafka] [postgres] [zipkin]     (default: all three)
#
# Each start is idempotent (an already running server is left alone). Afterwards:
#   eval "$(deploy/local/env.sh)"
# Stop with deploy/local/down.sh. Ports: KAFKA_PORT (19092), PG_PORT (55432), ZIPKIN_PORT (9411).
set -euo pipefail

_svc_name=up
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

services=("$@")
(( ${#services[@]} )) || services=(postgres kafka zipkin)

for s in "${services[@]}"; do
  case "$s" in
    kafka|postgres|zipkin) ;;
    *) die "unknown service '$s' (expected: kafka postgres zipkin)" ;;
  esac
done

t0="$(now_s)"
for s in "${services[@]}"; do
  "${FORVALT_LOCAL_DIR}/${s}.sh" start >/dev/null
done
log "started: ${services[*]} in $(elapsed "$t0")s; environment:"
"${FORVALT_LOCAL_DIR}/env.sh"
