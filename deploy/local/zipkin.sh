#!/usr/bin/env bash
# Local Zipkin server (in-memory storage) for development and tests, without Docker.
# Listens on 127.0.0.1 only; UI at http://127.0.0.1:9411/zipkin/, spans to /api/v2/spans.
#
# usage: deploy/local/zipkin.sh start|stop|status|restart
#
#   start    fetch the Zipkin server jar once (Maven), start it in the background, wait until
#            /health answers; prints the base URL on stdout. Exit 0 if already running.
#   stop     SIGTERM, wait up to 30 s, then SIGKILL. Exit 0 if it was not running.
#   status   exit 0 if running and healthy, 1 otherwise.
#
# Environment:
#   ZIPKIN_PORT           HTTP port, default 9411
#   ZIPKIN_VERSION        zipkin-server version to fetch (default: newest of a known 3.x list
#                         that Maven can resolve)
#   ZIPKIN_HEAP_OPTS      JVM heap options, default "-Xms64m -Xmx384m"
#   ZIPKIN_MAX_SPANS      spans kept in memory before the oldest traces are dropped, default 100000
#   ZIPKIN_START_TIMEOUT  seconds to wait for /health, default 90
#   FORVALT_RUN_DIR       run directory root (default: <repo>/.run); logs/pid go to .../zipkin
#
# Files: jar in <repo>/.cache/zipkin, pid/log in <repo>/.run/zipkin (both git-ignored).
set -euo pipefail

_svc_name=zipkin
# shellcheck source=deploy/local/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

# Newest first; the first that resolves is used (unless ZIPKIN_VERSION is set).
ZIPKIN_CANDIDATES=(3.6.1 3.5.1 3.4.4 3.4.3)
ZIPKIN_PORT="${ZIPKIN_PORT:-9411}"
ZIPKIN_HEAP_OPTS="${ZIPKIN_HEAP_OPTS:--Xms64m -Xmx384m}"
ZIPKIN_MAX_SPANS="${ZIPKIN_MAX_SPANS:-100000}"
ZIPKIN_START_TIMEOUT="${ZIPKIN_START_TIMEOUT:-90}"
URL="http://127.0.0.1:${ZIPKIN_PORT}"

CACHE_DIR="${FORVALT_CACHE_ROOT}/zipkin"
JAR="${CACHE_DIR}/zipkin.jar"
VERSION_FILE="${CACHE_DIR}/VERSION"
RUN_DIR="${FORVALT_RUN_ROOT}/zipkin"
PID_FILE="${RUN_DIR}/zipkin.pid"
LOG_FILE="${RUN_DIR}/zipkin.log"
MARKER="-Dforvalt.zipkin.run=${RUN_DIR}"

ensure_jar() {
  local want="${ZIPKIN_VERSION:-}"
  if [[ -f "$JAR" && -f "$VERSION_FILE" ]]; then
    if [[ -z "$want" || "$(cat "$VERSION_FILE")" == "$want" ]]; then
      return 0
    fi
  fi
  local candidates=("${ZIPKIN_CANDIDATES[@]}")
  [[ -n "$want" ]] && candidates=("$want")
  local t0 tmp v
  t0="$(now_s)"
  mkdir -p "$CACHE_DIR"
  tmp="$(mktemp -d "${CACHE_DIR}/tmp.XXXXXX")"
  for v in "${candidates[@]}"; do
    log "fetching io.zipkin:zipkin-server:${v} (exec jar) with Maven (one time) ..."
    # Run outside the repository so Maven does not pick up any project pom.
    if (cd "$tmp" && run_mvn dependency:copy \
        -Dartifact="io.zipkin:zipkin-server:${v}:jar:exec" -DoutputDirectory="$tmp"); then
      if [[ -f "${tmp}/zipkin-server-${v}-exec.jar" ]]; then
        mv "${tmp}/zipkin-server-${v}-exec.jar" "$JAR"
        echo "$v" >"$VERSION_FILE"
        rm -rf "$tmp"
        log "fetched Zipkin ${v} into ${JAR} in $(elapsed "$t0")s"
        return 0
      fi
    fi
    warn "zipkin-server ${v} could not be fetched"
  done
  rm -rf "$tmp"
  die "no zipkin-server version could be fetched (tried: ${candidates[*]})"
}

healthy() {
  curl -fsS --max-time 3 "${URL}/health" 2>/dev/null | grep -q '"UP"'
}

cmd_start() {
  local t0 pid
  t0="$(now_s)"
  require_java
  require_cmd curl
  mkdir -p "$RUN_DIR"
  take_lock "${RUN_DIR}/.lock"
  ensure_jar

  if pid="$(live_pid "$PID_FILE" "$MARKER")"; then
    if healthy; then
      log "already running (pid ${pid}) on ${URL}"
      echo "$URL"
      return 0
    fi
    log "process ${pid} exists but is not healthy yet; waiting ..."
  else
    if port_open "$ZIPKIN_PORT"; then
      die "port ${ZIPKIN_PORT} on 127.0.0.1 is already in use by another process (set ZIPKIN_PORT)"
    fi
    log "starting Zipkin $(cat "$VERSION_FILE") on ${URL} (in-memory storage) ..."
    # Collectors other than HTTP/gRPC stay off: variables that would enable them are removed.
    # shellcheck disable=SC2086  # ZIPKIN_HEAP_OPTS is a list of JVM options
    launch_detached "$LOG_FILE" env \
      -u KAFKA_BOOTSTRAP_SERVERS -u RABBIT_ADDRESSES -u RABBIT_URI -u ACTIVEMQ_URL \
      STORAGE_TYPE=mem MEM_MAX_SPANS="$ZIPKIN_MAX_SPANS" QUERY_PORT="$ZIPKIN_PORT" \
      SELF_TRACING_ENABLED=false COLLECTOR_SCRIBE_ENABLED=false \
      java ${ZIPKIN_HEAP_OPTS} -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k \
      -Djava.awt.headless=true "$MARKER" \
      -jar "$JAR" \
      "--armeria.ports[0].ip=127.0.0.1" \
      "--armeria.ports[0].port=${ZIPKIN_PORT}" \
      "--armeria.ports[0].protocols[0]=http"
    pid="$LAUNCHED_PID"
    echo "$pid" >"$PID_FILE"
  fi

  local deadline=$(( t0 + ZIPKIN_START_TIMEOUT ))
  until healthy; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      show_log_tail "$LOG_FILE"
      die "Zipkin exited during start-up (log: ${LOG_FILE})"
    fi
    if (( $(now_s) >= deadline )); then
      show_log_tail "$LOG_FILE"
      die "Zipkin did not become healthy on ${URL} within ${ZIPKIN_START_TIMEOUT}s (pid ${pid}, log: ${LOG_FILE})"
    fi
    sleep 0.5
  done
  log "ready on ${URL} (pid ${pid}) after $(elapsed "$t0")s; UI ${URL}/zipkin/, log ${LOG_FILE}"
  echo "$URL"
}

cmd_stop() {
  local pid
  mkdir -p "$RUN_DIR"
  take_lock "${RUN_DIR}/.lock"
  if pid="$(live_pid "$PID_FILE" "$MARKER")"; then
    log "stopping Zipkin (pid ${pid}) ..."
    stop_pid "$pid" zipkin 30
    rm -f "$PID_FILE"
  else
    log "not running"
  fi
}

cmd_status() {
  local pid
  if pid="$(live_pid "$PID_FILE" "$MARKER")"; then
    if healthy; then
      log "running (pid ${pid}) on ${URL}"
      return 0
    fi
    log "process running (pid ${pid}) but ${URL}/health does not answer UP"
    return 1
  fi
  log "not running"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  *) usage_exit restart ;;
esac
