#!/usr/bin/env bash
# The test command: the whole suite on SQLite, then again on PostgreSQL, with the real
# Ceph RGW (S3) and a real RFC 3161 TSA. Fails on any failing test.
#   scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

export SVIDOK_TEST_S3=1 SVIDOK_REQUIRE_S3=1
PG_URL=${SVIDOK_TEST_PG:-postgresql://postgres@127.0.0.1:5432/test}

status=0
echo "=== test suite on SQLite"
.venv/bin/python -m pytest -p no:cacheprovider "$@" || status=$?
if [ $status = 0 ]; then
  echo "=== test suite on PostgreSQL ($PG_URL)"
  SVIDOK_TEST_DB=$PG_URL .venv/bin/python -m pytest -p no:cacheprovider "$@" || status=$?
fi
scripts/stop-ceph-rgw.sh >/dev/null 2>&1 || true
exit $status
