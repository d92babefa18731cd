#!/usr/bin/env bash
# veraPDF, the PDF/A and PDF/UA validator, for the letter tests and by hand. Runs locally as a JVM process;
# no server.
#
# usage: deploy/local/verapdf.sh fetch
#        deploy/local/verapdf.sh [veraPDF options] FILES...
#
#   fetch    fetch the command-line application and its jars once (Maven); prints the jar directory.
#   other    fetch once if needed, then run veraPDF's command line with the arguments as given, e.g.
#              deploy/local/verapdf.sh --flavour 2u --format text letter.pdf
#              deploy/local/verapdf.sh --flavour ua1 --format xml a.pdf b.pdf
#            veraPDF's exit code is passed on (0 every file compliant, 1 some file not compliant).
#
# Environment:
#   VERAPDF_HEAP_OPTS   JVM heap options, default "-Xms64m -Xmx512m"
#
# Files: jars in <repo>/.cache/verapdf/lib (git-ignored), re-fetched when verapdf-pom.xml changes.
set -euo pipefail

_svc_name=verapdf
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

POM="${FORVALT_LOCAL_DIR}/verapdf-pom.xml"
CACHE_DIR="${FORVALT_CACHE_ROOT}/verapdf"
LIB_DIR="${CACHE_DIR}/lib"
VERAPDF_HEAP_OPTS="${VERAPDF_HEAP_OPTS:--Xms64m -Xmx512m}"

pom_stamp() { sha256sum "$POM" | cut -d' ' -f1; }

# Downloads veraPDF and its runtime dependencies once (re-done if verapdf-pom.xml changes).
ensure_lib() {
  local stamp
  stamp="$(pom_stamp)"
  if [[ -f "${LIB_DIR}/.stamp" && "$(cat "${LIB_DIR}/.stamp")" == "$stamp" ]]; then
    return 0
  fi
  local t0 tmp
  t0="$(now_s)"
  log "fetching veraPDF and its runtime dependencies with Maven (one time) ..."
  mkdir -p "$CACHE_DIR"
  tmp="$(mktemp -d "${CACHE_DIR}/lib.tmp.XXXXXX")"
  if ! run_mvn -f "$POM" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime; then
    rm -rf "$tmp"
    die "Maven could not fetch veraPDF (see output above)"
  fi
  compgen -G "${tmp}/greenfield-apps-*.jar" >/dev/null || { rm -rf "$tmp"; die "greenfield-apps jar missing after fetch"; }
  echo "$stamp" >"${tmp}/.stamp"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars into ${LIB_DIR} in $(elapsed "$t0")s"
}

[[ $# -gt 0 ]] || { sed -n '2,16p' "$0" >&2; exit 2; }
require_java
(
  # One fetch at a time when test runners call in parallel.
  take_lock "${CACHE_DIR}/.lock"
  ensure_lib
)
if [[ "$1" == "fetch" ]]; then
  echo "$LIB_DIR"
  exit 0
fi
# shellcheck disable=SC2086  # the heap options are several words
exec java $VERAPDF_HEAP_OPTS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -cp "${LIB_DIR}/*" org.verapdf.apps.GreenfieldCliWrapper "$@"
