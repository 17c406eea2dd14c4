# Shared settings and helpers for the local Kafka and InfluxDB servers. Sourced, not run.
# Everything downloaded or built lives under FLEETFM_CACHE_DIR (outside the repo) so a clean
# clone provisions once and later runs only start the servers.

SERVICES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SERVICES_DIR/../.." && pwd)"

FLEETFM_CACHE_DIR="${FLEETFM_CACHE_DIR:-${HOME:?set HOME or FLEETFM_CACHE_DIR}/.cache/fleetfm}"
FLEETFM_RUN_DIR="${FLEETFM_RUN_DIR:-$FLEETFM_CACHE_DIR/run}"

KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$SERVICES_DIR/kafka/pom.xml")
KAFKA_HOME="$FLEETFM_CACHE_DIR/kafka"
KAFKA_PORT="${FLEETFM_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${FLEETFM_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_HEAP="${FLEETFM_KAFKA_HEAP:-512m}"
KAFKA_DATA_DIR="${FLEETFM_KAFKA_DATA_DIR:-$FLEETFM_RUN_DIR/kafka-data}"
# Fixed so a data dir formatted once stays valid; any 16-byte base64url id would do.
KAFKA_CLUSTER_ID=ilVY2foSQAK1mYIqtgAoRA

INFLUX_VERSIONS="${FLEETFM_INFLUX_VERSIONS:-1.8.10 1.8.3}"
INFLUX_BIN="$FLEETFM_CACHE_DIR/bin/influxd"
INFLUX_PORT="${FLEETFM_INFLUX_PORT:-18086}"
INFLUX_RPC_PORT="${FLEETFM_INFLUX_RPC_PORT:-18088}"
INFLUX_DATA_DIR="${FLEETFM_INFLUX_DATA_DIR:-$FLEETFM_RUN_DIR/influx-data}"
# Go GC of influxd: GC work per point drops with a larger GOGC (-15..20 % CPU per point at 400
# vs 100, measured on 2 cores); GOMEMLIMIT caps the heap that a large GOGC lets grow.
INFLUX_GOGC="${FLEETFM_INFLUX_GOGC:-400}"
INFLUX_GOMEMLIMIT="${FLEETFM_INFLUX_GOMEMLIMIT:-2GiB}"
INFLUX_DB=fleetfm
# InfluxDB 1.8 ignores the token when auth is off, but the v2 client insists on one.
INFLUX_TOKEN_VALUE=fleetfm:fleetfm

SERVICES_JSON="$FLEETFM_RUN_DIR/services.json"
START_TIMEOUT_S="${FLEETFM_START_TIMEOUT_S:-120}"
STOP_TIMEOUT_S="${FLEETFM_STOP_TIMEOUT_S:-60}"

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

require_tool() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not on PATH; $2"
}

# Holds an exclusive lock on "$1" for the rest of the calling shell, so two concurrent
# callers (a developer and a Jest run) never provision or start the same thing twice.
take_lock() {
  mkdir -p "$FLEETFM_CACHE_DIR/locks"
  exec {LOCK_FD}>"$FLEETFM_CACHE_DIR/locks/$1.lock"
  if ! flock -w 1800 "$LOCK_FD"; then die "timed out waiting for lock $1"; fi
}

# Prints the pid in pidfile "$1" if that process is alive and its command line contains "$2"
# (guards against a stale pid reused by an unrelated process); else prints nothing.
live_pid() {
  local pidfile=$1 pattern=$2 pid
  [[ -f "$pidfile" ]] || return 0
  pid=$(<"$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$pattern"; then
    echo "$pid"
  fi
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Starts "$@" detached in its own session with output to logfile "$2" and its pid in "$1".
# The wrapper execs the command, so the recorded pid is the server itself.
spawn_detached() {
  local pidfile=$1 logfile=$2
  shift 2
  rm -f "$pidfile"
  # The lock fd must not leak into the server, or it would hold the lock for its whole life.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 \
    {LOCK_FD}>&- &
  local i
  for i in $(seq 1 50); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  die "could not start $1 (no pid file)"
}

# Sends TERM, waits up to STOP_TIMEOUT_S for exit, then KILL.
stop_pid() {
  local name=$1 pid=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < STOP_TIMEOUT_S * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$name (pid $pid) did not exit within ${STOP_TIMEOUT_S}s; sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  die "$name (pid $pid) survived KILL"
}

fail_with_log() {
  local message=$1 logfile=$2
  log "ERROR: $message"
  if [[ -f "$logfile" ]]; then
    log "last 40 lines of $logfile:"
    tail -n 40 "$logfile" | sed 's/^/    /' >&2
  fi
  exit 1
}

write_services_json() {
  mkdir -p "$FLEETFM_RUN_DIR"
  cat >"$SERVICES_JSON.tmp" <<EOF
{
  "influx": {
    "bucket": "$INFLUX_DB/autogen",
    "database": "$INFLUX_DB",
    "org": "-",
    "token": "$INFLUX_TOKEN_VALUE",
    "url": "http://127.0.0.1:$INFLUX_PORT"
  },
  "kafka": {
    "brokers": "127.0.0.1:$KAFKA_PORT"
  }
}
EOF
  mv "$SERVICES_JSON.tmp" "$SERVICES_JSON"
}

# Stops service "$1" (its lock name; log label "$2") whose pid file is $PID_FILE and whose command
# line contains $PID_PATTERN. Idempotent.
stop_service() {
  local name=$1 label=$2 pid
  take_lock "$name"
  pid=$(live_pid "$PID_FILE" "$PID_PATTERN")
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE"
    log "$label not running"
    return 0
  fi
  log "stopping $label (pid $pid)"
  stop_pid "$label" "$pid"
  rm -f "$PID_FILE"
}

# Status of service "$1" at address "$2", checked with the caller's `probe`.
# Exit 0: running and answering; 1: process alive but not answering; 3: not running.
service_status() {
  local name=$1 address=$2 pid err
  pid=$(live_pid "$PID_FILE" "$PID_PATTERN")
  if [[ -z "$pid" ]]; then
    echo "$name: not running"
    return 3
  fi
  if err=$(probe 2>&1); then
    echo "$name: running (pid $pid) at $address"
    return 0
  fi
  echo "$name: pid $pid alive but not answering on $address: $err"
  return 1
}
