#!/usr/bin/env bash
# Run a command, and run it again whenever it dies, until this script is told to stop.
#
# `make run` uses it for the Celery worker and beat: honcho ends every process when one exits,
# and a Redis outage can end the worker (kombu 5.7 raises while putting unacknowledged
# countdown tasks back on a broker that is down), which would take the storefront down with it.
# In docker-compose the same job is done by `restart: unless-stopped`.
set -u
child=""
stopping=0
stop() {
  stopping=1
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  exit 0
}
trap stop INT TERM
while :; do
  "$@" &
  child=$!
  wait "$child"
  status=$?
  [ "$stopping" = 1 ] && exit 0
  echo "respawn: $(basename "$1") exited with status $status; starting it again in 3 s" >&2
  sleep 3 &
  wait $!
done
