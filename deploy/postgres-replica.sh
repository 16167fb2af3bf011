#!/bin/bash
# The read replica: on first start, copy the primary with pg_basebackup (-R writes the standby
# settings), then run as a hot standby that streams the primary's WAL.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until PGPASSWORD="${REPLICATION_PASSWORD:-replicator}" pg_basebackup \
      -h postgres -U replicator -D "$PGDATA" -R -X stream -P; do
    echo "waiting for the primary..."; sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
