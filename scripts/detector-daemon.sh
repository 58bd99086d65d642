#!/usr/bin/env bash
# Runs the detector in the background for the demo, started exactly as `npm start` does, in a process
# group of its own, so that stopping it stops every process of it (npm, tsx and the node detector),
# not only the wrapper: the wrapper alone used to die and leave the detector holding its port.
#
#   bash scripts/detector-daemon.sh start    start unless running; wait until /healthz answers
#   bash scripts/detector-daemon.sh stop     SIGTERM to the group, wait for the graceful shutdown,
#                                            then SIGKILL; idempotent; the port is free afterwards
#   bash scripts/detector-daemon.sh status   exit 0 when running, 3 when not
#
# Environment: everything the detector reads (PORT, HOST, KAFKA_BROKERS, ...) is passed through.
# DETECTOR_DIR (<repo>/.stack/detector) holds pgid, port and detector.log; SHUTDOWN_TIMEOUT (25s, as
# the detector's) bounds the graceful stop, plus DETECTOR_KILL_GRACE (5 s) before SIGKILL;
# DETECTOR_START_TIMEOUT (90 s) bounds the wait for /healthz.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${DETECTOR_DIR:-$ROOT/.stack/detector}"
PGID_FILE="$DIR/pgid"
PORT_FILE="$DIR/port"
LOG="$DIR/detector.log"
LEGACY_PID_FILE="$DIR/pid" # written by the demo before the detector had a process group
START_TIMEOUT="${DETECTOR_START_TIMEOUT:-90}"
KILL_GRACE="${DETECTOR_KILL_GRACE:-5}"

log() { echo "detector: $*"; }
die() {
  echo "detector: error: $*" >&2
  exit 1
}

# "25s", "2m" → seconds (the detector's duration format); anything else → 25.
seconds_of() {
  case "$1" in
    *s) echo "${1%s}" ;;
    *m) echo "$((${1%m} * 60))" ;;
    *) echo 25 ;;
  esac
}
STOP_TIMEOUT="$(seconds_of "${SHUTDOWN_TIMEOUT:-25s}")"

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# Processes of process group $1, including members whose parent already exited.
group_members() { pgrep -g "$1" || true; }

group_alive() { [ -n "$(group_members "$1")" ]; }

running_pgid() { # the recorded group, if any of its processes still runs
  local pgid
  [ -s "$PGID_FILE" ] || return 1
  pgid="$(tr -dc '0-9' <"$PGID_FILE")"
  [ -n "$pgid" ] && group_alive "$pgid" || return 1
  echo "$pgid"
}

recorded_port() { cat "$PORT_FILE" 2>/dev/null || echo "${PORT:-8080}"; }

wait_group_gone() { # wait_group_gone PGID SECONDS
  local deadline=$((SECONDS + $2))
  while group_alive "$1"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

cmd_start() {
  local pgid port deadline
  mkdir -p "$DIR"
  if pgid="$(running_pgid)"; then
    log "already running (process group $pgid, port $(recorded_port))"
    return 0
  fi
  port="${PORT:-8080}"
  port_open "$port" && die "port $port is in use by another process; stop it or set PORT"
  : >"$LOG"
  rm -f "$PGID_FILE"
  echo "$port" >"$PORT_FILE"
  # setsid: a new session and process group whose id is the leader's pid, written by the leader
  # itself before it becomes npm.
  (
    cd "$ROOT"
    exec setsid bash -c 'echo $$ >"$1"; exec npm start' detector-daemon "$PGID_FILE" </dev/null >>"$LOG" 2>&1
  ) &
  deadline=$((SECONDS + START_TIMEOUT))
  until [ -s "$PGID_FILE" ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "the detector did not start (see $LOG)"
    sleep 0.1
  done
  pgid="$(tr -dc '0-9' <"$PGID_FILE")"
  log "starting (process group $pgid, port $port, logs $LOG)"
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; do
    if ! group_alive "$pgid"; then
      tail -n 20 "$LOG" >&2 || true
      rm -f "$PGID_FILE"
      die "the detector exited while starting (see $LOG)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$LOG" >&2 || true
      die "no answer on http://127.0.0.1:$port/healthz within ${START_TIMEOUT}s (still running; \`stop\` stops it)"
    fi
    sleep 0.3
  done
  log "healthy on http://127.0.0.1:$port"
}

# The demo of earlier versions recorded only the npx wrapper's pid: stop it and its descendants.
stop_legacy() {
  local pid pids=() i=0 child
  pid="$(tr -dc '0-9' <"$LEGACY_PID_FILE" 2>/dev/null || true)"
  rm -f "$LEGACY_PID_FILE"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  pids=("$pid")
  while [ "$i" -lt "${#pids[@]}" ]; do
    for child in $(ps -o pid= --ppid "${pids[$i]}" 2>/dev/null); do pids+=("$child"); done
    i=$((i + 1))
  done
  log "stopping the detector of an earlier demo (pids ${pids[*]})"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 $((STOP_TIMEOUT * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

cmd_stop() {
  local pgid port
  [ -f "$LEGACY_PID_FILE" ] && stop_legacy
  port="$(recorded_port)"
  if pgid="$(running_pgid)"; then
    log "stopping process group $pgid (SIGTERM; graceful shutdown up to ${STOP_TIMEOUT}s)"
    kill -TERM -- "-$pgid" 2>/dev/null || true
    if ! wait_group_gone "$pgid" "$((STOP_TIMEOUT + KILL_GRACE))"; then
      log "still running after $((STOP_TIMEOUT + KILL_GRACE))s; SIGKILL to the group"
      kill -KILL -- "-$pgid" 2>/dev/null || true
      wait_group_gone "$pgid" 10 || die "process group $pgid survived SIGKILL"
    fi
    log "stopped"
  else
    log "not running"
  fi
  rm -f "$PGID_FILE"
  # The group held the port; once it is gone the port is free. Say so if something else holds it.
  for _ in $(seq 1 25); do port_open "$port" || break; sleep 0.2; done
  if port_open "$port"; then
    die "port $port is still in use by a process this script did not start: $(ss -ltnpH "sport = :$port" 2>/dev/null | sed 's/.*users://' || true)"
  fi
  rm -f "$PORT_FILE"
}

cmd_status() {
  local pgid port
  port="$(recorded_port)"
  if pgid="$(running_pgid)"; then
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then
      log "running (process group $pgid: pids $(group_members "$pgid" | tr '\n' ' ')port $port, healthy)"
    else
      log "running (process group $pgid, port $port, /healthz not answering)"
    fi
    return 0
  fi
  log "not running"
  return 3
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: bash scripts/detector-daemon.sh start|stop|status" >&2
    exit 2
    ;;
esac
