#!/usr/bin/env bash
# Stops the local dev/test servers started by deploy/local/up.sh. Data is kept in the run
# directory (<repo>/.run, or $FORVALT_RUN_DIR); delete it for a clean slate.
#
# usage: deploy/local/down.sh [kafka] [postgres] [zipkin]     (default: all three)
set -euo pipefail

_svc_name=down
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

services=("$@")
(( ${#services[@]} )) || services=(zipkin kafka postgres)

rc=0
for s in "${services[@]}"; do
  case "$s" in
    kafka|postgres|zipkin) "${FORVALT_LOCAL_DIR}/${s}.sh" stop || rc=$? ;;
    *) warn "unknown service '$s' (expected: kafka postgres zipkin)"; rc=2 ;;
  esac
done
exit $rc
