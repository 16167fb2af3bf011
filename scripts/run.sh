#!/usr/bin/env bash
# `make run`: migrate, seed demo data once, then run web + Celery worker + beat together
# (honcho; Ctrl-C stops all three). Falls back to SQLite and a file-based Celery broker when
# PostgreSQL or Redis cannot be reached, and says so first.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV_BIN="$(pwd)/${VENV:-.venv}/bin"
export VENV_BIN
PORT="${PORT:-8000}"
# The address the web process binds is the one printed below (HOST=0.0.0.0 to open it to
# the network, then browse to this machine's address).
HOST="${HOST:-127.0.0.1}"
export PORT HOST
# A laptop run: debug pages and the sandbox gateways and courier (both are off unless set).
export DEBUG="${DEBUG:-1}" PAYMENT_SANDBOX="${PAYMENT_SANDBOX:-1}"
# The worker posts the sandbox gateway's and courier's callbacks to this address.
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"
# One time zone for every line: honcho's timestamps, Django's and Celery's (settings.TIME_ZONE).
export TZ="${TZ:-Asia/Shanghai}"
mkdir -p var

probe="$("$VENV_BIN/python" scripts/probe_services.py)"
eval "$probe"
if [ "$DATABASE_FALLBACK" = 1 ]; then
  export DATABASE_URL="sqlite:///$(pwd)/var/shop.sqlite3"
  echo "!! PostgreSQL is not reachable ($DATABASE_PROBLEM)."
  echo "!! Falling back to SQLite at var/shop.sqlite3: search is plain substring matching and"
  echo "!! stock locking is whole-database; fine for a look around, not for load."
fi
if [ "$BROKER_FALLBACK" = 1 ]; then
  export CELERY_BROKER_URL="filesystem://"
  export REDIS_URL="locmem://"
  export CELERY_FILE_BROKER_DIR="$(pwd)/var/broker"
  mkdir -p var/broker/processed
  echo "!! Redis is not reachable ($BROKER_PROBLEM)."
  echo "!! Falling back to a file-based Celery broker in var/broker/ and an in-memory cache."
fi

echo "== Preparing the database (migrate), then the demo data (first run: about a minute)"
"$VENV_BIN/python" manage.py migrate --noinput
"$VENV_BIN/python" manage.py seed_demo

cat <<MSG

  Shop is starting (web, Celery worker, Celery beat; Ctrl-C stops all three)
  Storefront:  http://${HOST}:${PORT}/
  Admin:       http://${HOST}:${PORT}/admin/   (a landing page per role)
  API docs:    http://${HOST}:${PORT}/api/docs/
  Health:      http://${HOST}:${PORT}/healthz
  Demo logins (username / password), every account the seed creates:
    shopper          shopper / shopper-pass-2026     (storefront)
    merchant staff   merchant / merchant-pass-2026   (admin, one merchant's data)
    merchant staff   merchant2 / merchant-pass-2026  (admin, the other merchant's data)
    operations       ops / ops-pass-2026             (admin, everything of the platform)
    superuser        admin / admin-pass-2026         (admin, Django's full rights)

MSG
# Ctrl-C is how a local run ends: honcho stops the three processes and that is a clean exit.
# On a terminal, job control runs honcho in a process group of its own in the foreground, so
# Ctrl-C reaches honcho and its processes only: make (which would report "Interrupt" and exit
# 2 whatever this script answers) and this script never see it, and `make run` ends with 0.
if [ -t 0 ]; then
  set -m
fi
interrupted=0
trap 'interrupted=1' INT
set +e
"$VENV_BIN/honcho" start -f Procfile
status=$?
set -e
if [ "$interrupted" = 1 ] || [ "$status" = 130 ]; then
  echo "Shop stopped."
  exit 0
fi
exit "$status"
