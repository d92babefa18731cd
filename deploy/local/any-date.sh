#!/usr/bin/env bash
# Runs the tests that need no servers with the machine's date moved by libfaketime, to show that no test
# depends on the day it runs and no service reads the machine's clock behind its injected one.
#
# usage: deploy/local/any-date.sh [all|quick]
#   quick (what `make test` runs): a leap day at the Norwegian date line, and the Easter Sunday night the
#         clocks spring forward, on a machine set to Norway's zone
#   all   (`make any-date`): those, Christmas Eve, the night the clocks fall back, and a day years before
#         the dates the tests write out
# Installs the Debian package "faketime" when it is missing (needs root).
set -euo pipefail
_svc_name=any-date
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "$0")/_lib.sh"
cd "$FORVALT_REPO_ROOT"

# "<TZ of the machine>|<the faked moment>": the zone decides what a naive local time would wrongly say.
quick=(
  "UTC|2028-02-29 23:30:00 UTC"          # 29 February 23:30 UTC: already 1 March in Norway
  "Europe/Oslo|2027-03-28 01:30:00 UTC"  # Easter Sunday 2027, 03:30 CEST, the night the clocks went forward
)
rest=(
  "UTC|2027-12-24 10:00:00 UTC"          # Christmas Eve: a working day by the law's counting
  "Europe/Oslo|2026-10-25 00:30:00 UTC"  # 02:30 CEST, an hour before the clocks fall back to 02:00 CET
  "America/Los_Angeles|2024-06-03 05:00:00 UTC"  # years before every date the tests write out; still 2 June there
)

case "${1:-quick}" in
  quick) runs=("${quick[@]}") ;;
  all) runs=("${quick[@]}" "${rest[@]}") ;;
  *) die "usage: $0 [all|quick]" ;;
esac

if ! command -v faketime >/dev/null 2>&1; then
  [[ $EUID -eq 0 ]] || die "libfaketime not found; install the Debian package 'faketime' (needs root)"
  require_cmd apt-get
  log "installing the Debian package 'faketime' ..."
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends faketime; } >&2 ||
    die "apt-get install faketime failed"
fi

failed=0
for run in "${runs[@]}"; do
  zone="${run%%|*}"
  moment="${run#*|}"
  log "unit tests with the machine's clock at ${moment} (TZ=${zone}) ..."
  # The interpreter's sleeps and timeouts keep the real monotonic clock; only the date moves.
  if ! TZ="$zone" FAKETIME_DONT_FAKE_MONOTONIC=1 uv run --frozen --no-sync -- \
    faketime "$moment" python -m pytest -q -m "not infra" -p no:cacheprovider --no-header; then
    warn "unit tests failed with the clock at ${moment} (TZ=${zone})"
    failed=1
  fi
done
exit "$failed"
