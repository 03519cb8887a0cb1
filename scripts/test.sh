#!/usr/bin/env bash
# The test command: the whole suite on SQLite and, at the same time, the database tests again on
# PostgreSQL, with the real Ceph RGW (S3), a real RFC 3161 TSA (openssl ts) and Debian's
# chromium. Fails if any test fails in either pass.
#   scripts/test.sh [pytest args...]        (SVIDOK_TEST_SERIAL=1 runs the passes one after the other)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

export SVIDOK_TEST_S3=1 SVIDOK_REQUIRE_S3=1
PG_URL=${SVIDOK_TEST_PG:-postgresql://postgres@127.0.0.1:5432/test}
LOGS=$(mktemp -d)

run_sqlite() { .venv/bin/python -m pytest -p no:cacheprovider "$@"; }
run_pg() { SVIDOK_TEST_DB=$PG_URL .venv/bin/python -m pytest -p no:cacheprovider "$@"; }

s_sqlite=0; s_pg=0
if [ "${SVIDOK_TEST_SERIAL:-0}" = 1 ]; then
  echo "=== test suite on SQLite"
  run_sqlite "$@" || s_sqlite=$?
  echo "=== database tests on PostgreSQL ($PG_URL)"
  run_pg "$@" || s_pg=$?
else
  # Two passes in parallel use both cores; each writes its own log, printed in full below.
  run_pg "$@" > "$LOGS/pg.log" 2>&1 &
  pg_pid=$!
  run_sqlite "$@" > "$LOGS/sqlite.log" 2>&1 || s_sqlite=$?
  wait $pg_pid || s_pg=$?
  echo "=== database tests on PostgreSQL ($PG_URL): exit $s_pg"
  cat "$LOGS/pg.log"
  echo "=== SQLite pass exit $s_sqlite, PostgreSQL pass exit $s_pg; the SQLite pass follows"
  cat "$LOGS/sqlite.log"
fi
rm -rf "$LOGS"
[ $s_sqlite = 0 ] && [ $s_pg = 0 ]
