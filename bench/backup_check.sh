#!/usr/bin/env bash
# Backup round trip (README "Backups"): seed a small town into a fresh database, pg_dump -Fc it,
# pg_restore into another new database, and compare the row count of every table. Drops both.
#
#   bench/backup_check.sh [postgres://postgres@127.0.0.1:5432]
#
# Exits non-zero when a count differs or a step fails. .ci/run calls it in its PostgreSQL pass.
set -euo pipefail

cd "$(dirname "$0")/.."
SERVER="${1:-${BACKUP_CHECK_SERVER:-postgres://postgres@127.0.0.1:5432}}"
SERVER="${SERVER%/}"
SRC=gw_backup_src
DST=gw_backup_dst
PY=.venv/bin/python
DUMP=$(mktemp --suffix=.dump)
export PGOPTIONS="--client-min-messages=warning"  # no NOTICE for a database not there to drop

psql_admin() { psql "$SERVER/postgres" -v ON_ERROR_STOP=1 -qAt -c "$1"; }
cleanup() {
    rm -f "$DUMP"
    psql_admin "DROP DATABASE IF EXISTS $SRC" || true
    psql_admin "DROP DATABASE IF EXISTS $DST" || true
}
trap cleanup EXIT

# Exact row counts of every table of the public schema, one "table count" line each.
counts() {
    psql "$SERVER/$1" -v ON_ERROR_STOP=1 -qAt -F ' ' <<'SQL'
CREATE OR REPLACE FUNCTION pg_temp.row_count(t text) RETURNS bigint LANGUAGE plpgsql AS
$$ DECLARE n bigint; BEGIN EXECUTE format('SELECT count(*) FROM %I', t) INTO n; RETURN n; END $$;
SELECT tablename, pg_temp.row_count(tablename) FROM pg_tables
 WHERE schemaname = 'public' ORDER BY tablename;
SQL
}

cleanup
psql_admin "CREATE DATABASE $SRC"
export DATABASE_URL="$SERVER/$SRC" DJANGO_DEBUG=true
env -u REDIS_URL "$PY" manage.py migrate --noinput -v 0
env -u REDIS_URL "$PY" manage.py load_reference >/dev/null
env -u REDIS_URL "$PY" manage.py seed_demo --premises 40 -v 0 >/dev/null

pg_dump --format=custom --no-owner --file="$DUMP" "$SERVER/$SRC"
psql_admin "CREATE DATABASE $DST"
pg_restore --no-owner --exit-on-error --dbname="$SERVER/$DST" "$DUMP"

before=$(counts "$SRC")
after=$(counts "$DST")
tables=$(wc -l <<<"$before")
rows=$(awk '{n += $2} END {print n}' <<<"$before")
if [[ "$before" != "$after" ]]; then
    echo "backup check FAILED: row counts differ after restore" >&2
    diff <(echo "$before") <(echo "$after") >&2 || true
    exit 1
fi
echo "backup check passed: $tables tables, $rows rows, dump $(du -h "$DUMP" | cut -f1), identical after pg_restore"
