#!/usr/bin/env bash
# Connection settings for the local servers started by deploy/local/up.sh, as used by the
# services and the tests.
#
#   eval "$(deploy/local/env.sh)"     # prints export lines; eval them in the current shell
#   source deploy/local/env.sh        # or source it: exports directly
#
# Honours the same port variables as the start scripts: KAFKA_PORT, PG_PORT, ZIPKIN_PORT.
# FORVALT_PG_URL has no database name: append "/<db>" (intake, assessment, decision,
# coordination, appeals, notification, or one a test creates).

_forvalt_env_lines() {
  printf 'export FORVALT_KAFKA_BOOTSTRAP=%s\n' "127.0.0.1:${KAFKA_PORT:-19092}"
  printf 'export FORVALT_PG_URL=%s\n' "postgresql+asyncpg://forvalt:forvalt@127.0.0.1:${PG_PORT:-55432}"
  printf 'export FORVALT_ZIPKIN_URL=%s\n' "http://127.0.0.1:${ZIPKIN_PORT:-9411}"
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: export into the caller's shell (no set -e here: it would leak into the caller).
  eval "$(_forvalt_env_lines)"
  unset -f _forvalt_env_lines
else
  set -euo pipefail
  _forvalt_env_lines
fi
