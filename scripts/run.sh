#!/usr/bin/env bash
# `make run`: migrate, seed demo data once, then run web + Celery worker + beat together
# (honcho; Ctrl-C stops all three). Falls back to SQLite and a file-based Celery broker when
# PostgreSQL or Redis cannot be reached, and says so first.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV_BIN="$(pwd)/${VENV:-.venv}/bin"
export VENV_BIN
PORT="${PORT:-8000}"
export PORT
# A laptop run: debug pages and the sandbox gateways and courier (both are off unless set).
export DEBUG="${DEBUG:-1}" PAYMENT_SANDBOX="${PAYMENT_SANDBOX:-1}"
# The worker posts the sandbox gateway's and courier's callbacks to this address.
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"
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

"$VENV_BIN/python" manage.py migrate --noinput
"$VENV_BIN/python" manage.py seed_demo

cat <<MSG

  Shop is starting (web, Celery worker, Celery beat; Ctrl-C stops all three)
  Storefront:  http://127.0.0.1:${PORT}/
  Admin:       http://127.0.0.1:${PORT}/admin/
  API docs:    http://127.0.0.1:${PORT}/api/docs/
  Health:      http://127.0.0.1:${PORT}/healthz
  Demo logins (username / password):
    shopper         shopper / shopper-pass-2026   (storefront)
    merchant staff  merchant / merchant-pass-2026 (admin, one merchant's data)
    operations      ops / ops-pass-2026           (admin, everything)

MSG
exec "$VENV_BIN/honcho" start -f Procfile
