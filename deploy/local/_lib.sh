# shellcheck shell=bash
# shellcheck disable=SC2034  # variables defined here are used by the scripts that source this file
# Shared helpers for the local (no-Docker) dev/test servers in deploy/local/.
# Sourced by kafka.sh, postgres.sh, zipkin.sh, up.sh and down.sh; not meant to be run.
#
# Layout (all relative to the repository root, both git-ignored):
#   .cache/<service>/   downloaded artifacts (Kafka jars, Zipkin jar); kept across runs
#   .run/<service>/     data, pid files, logs; $FORVALT_RUN_DIR/<service> when FORVALT_RUN_DIR is set

# Repository root = two levels above deploy/local/.
FORVALT_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
FORVALT_REPO_ROOT="$(cd "${FORVALT_LOCAL_DIR}/../.." && pwd -P)"
FORVALT_CACHE_ROOT="${FORVALT_REPO_ROOT}/.cache"
if [[ -n "${FORVALT_RUN_DIR:-}" ]]; then
  mkdir -p "${FORVALT_RUN_DIR}"
  FORVALT_RUN_ROOT="$(cd "${FORVALT_RUN_DIR}" && pwd -P)"
else
  FORVALT_RUN_ROOT="${FORVALT_REPO_ROOT}/.run"
fi

# Messages go to stderr so that stdout stays clean for machine-readable output.
_svc_name="${_svc_name:-local}"
log()  { printf '[%s] %s\n' "${_svc_name}" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "${_svc_name}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${_svc_name}" "$*" >&2; exit 1; }

now_s() { date +%s; }

# Seconds elapsed since $1 (an epoch from now_s).
elapsed() { echo $(( $(now_s) - $1 )); }

require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' not found on PATH"
  done
}

require_java() {
  require_cmd java
  local v
  v="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')"
  [[ -n "$v" && "${v%%.*}" -ge 17 ]] || die "Java 17 or newer is required (found: ${v:-unknown})"
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1
}

# True if process $1 is alive and its command line contains the string $2
# (guards against a stale pid file whose pid was reused by another process).
pid_matches() {
  local pid="$1" marker="$2"
  [[ -n "$pid" && "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

# Prints the pid from pid file $1 if that process is alive and matches marker $2.
# Removes a stale pid file.
live_pid() {
  local pidfile="$1" marker="$2" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if pid_matches "$pid" "$marker"; then
    echo "$pid"
    return 0
  fi
  rm -f "$pidfile"
  return 1
}

# stop_pid PID NAME [TIMEOUT_S]: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local pid="$1" name="$2" timeout="${3:-30}" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < timeout * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || { log "$name stopped (pid $pid)"; return 0; }
    sleep 0.2
  done
  warn "$name (pid $pid) did not stop within ${timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  die "could not kill $name (pid $pid)"
}

# Takes an exclusive lock for this service so that concurrent start/stop calls
# (e.g. parallel test runners) do not race. Released when the script exits.
take_lock() {
  local lockfile="$1"
  mkdir -p "$(dirname "$lockfile")"
  exec 9>"$lockfile"
  if ! flock -w 300 9; then
    die "timed out waiting for lock $lockfile"
  fi
}

# Start a detached background process with its own session: it survives the
# calling shell and its process group. Sets LAUNCHED_PID.
# usage: launch_detached LOGFILE cmd args...
launch_detached() {
  local logfile="$1"
  shift
  # In a non-interactive shell a background job is not a process-group leader,
  # so setsid does not fork and $! is the server's own pid.
  # fd 9 (the lock from take_lock) is closed so the server does not hold the lock.
  setsid nohup "$@" >>"$logfile" 2>&1 </dev/null 9>&- &
  LAUNCHED_PID=$!
}

# Prints the last lines of a log file to stderr (used when a start fails).
show_log_tail() {
  local f="$1" n="${2:-40}"
  if [[ -s "$f" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
    printf -- '-----\n' >&2
  fi
}

# Runs Maven quietly in batch mode; prints its output only when it fails.
run_mvn() {
  require_cmd mvn
  local out rc=0
  out="$(mktemp)"
  mvn -B -q "$@" >"$out" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]]; then
    tail -n 40 "$out" >&2
  fi
  rm -f "$out"
  return $rc
}

usage_exit() {
  echo "usage: $0 start|stop|status${1:+|$1}" >&2
  exit 2
}
