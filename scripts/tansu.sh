#!/usr/bin/env bash
# tansu 0.6.0, a Kafka-protocol broker written in Rust, for `queuelab bench
# --broker kafka`: built from the Rust package registry into a cache outside
# the checkout (kept between CI runs), started on 127.0.0.1 with in-memory
# storage, stopped by the pid it recorded (never by name).
#
#   scripts/tansu.sh install   build it unless the cached binary is there
#   scripts/tansu.sh start     install, start on 127.0.0.1:$QUEUELAB_TANSU_PORT, wait until it listens
#   scripts/tansu.sh stop      stop the broker this script started
#   scripts/tansu.sh status    whether it runs, and where
#
# Environment: QUEUELAB_TANSU_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/queuelab/tansu), QUEUELAB_TANSU_PORT
# (default 9092, queuelab's default bootstrap for `--broker kafka`).
# A cold build takes long (see README, Real brokers); later runs reuse it.
set -euo pipefail

VERSION=0.6.0
CACHE=${QUEUELAB_TANSU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/queuelab/tansu}
PORT=${QUEUELAB_TANSU_PORT:-9092}
BIN=$CACHE/bin/tansu
PIDFILE=$CACHE/tansu.pid
LOG=$CACHE/tansu.log

# The pid of the broker this script started, if it still runs.
running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "$pid"
  else
    return 1
  fi
}

# True once something accepts connections on 127.0.0.1:$PORT.
listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

install() {
  if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "$VERSION"; then
    echo "tansu $VERSION: cached at $BIN"
    return
  fi
  mkdir -p "$CACHE"
  echo "tansu $VERSION: building into $CACHE (a cold build takes many minutes)"
  local start=$SECONDS
  # `dynostore` brings the in-memory storage engine (memory://).
  cargo install --locked --version "$VERSION" tansu --features dynostore --root "$CACHE"
  echo "tansu $VERSION: built in $((SECONDS - start)) s"
}

start() {
  install
  if pid=$(running_pid); then
    echo "tansu already running (pid $pid) on 127.0.0.1:$PORT"
    return
  fi
  if listening; then
    echo "127.0.0.1:$PORT is taken by another process: set QUEUELAB_TANSU_PORT" >&2
    exit 1
  fi
  # From the cache directory, so no .env of the caller's is read; every
  # setting explicit, so no STORAGE_ENGINE etc. of the environment applies.
  (cd "$CACHE" && exec "$BIN" broker \
    --listener-url "tcp://127.0.0.1:$PORT" \
    --advertised-listener-url "tcp://127.0.0.1:$PORT" \
    --storage-engine "memory://tansu/" \
    --cluster-id queuelab >"$LOG" 2>&1 </dev/null) &
  echo $! >"$PIDFILE"
  for _ in $(seq 100); do
    if listening; then
      echo "tansu $VERSION running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT, log $LOG"
      return
    fi
    if ! running_pid >/dev/null; then
      echo "tansu exited at start; its log ($LOG):" >&2
      tail -20 "$LOG" >&2
      rm -f "$PIDFILE"
      exit 1
    fi
    sleep 0.1
  done
  echo "tansu did not listen on 127.0.0.1:$PORT within 10 s; log $LOG" >&2
  exit 1
}

stop() {
  if pid=$(running_pid); then
    kill "$pid"
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid"
    fi
    echo "tansu (pid $pid) stopped"
  else
    echo "tansu not running (no live pid in $PIDFILE)"
  fi
  rm -f "$PIDFILE"
}

status() {
  if pid=$(running_pid); then
    echo "tansu $VERSION running (pid $pid) on 127.0.0.1:$PORT"
  else
    echo "tansu not running"
    exit 3
  fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 install|start|stop|status" >&2
    exit 2
    ;;
esac
