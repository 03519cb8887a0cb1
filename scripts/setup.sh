#!/usr/bin/env bash
# Installs everything Svidok needs into ./.venv from the pinned lock file.
#   scripts/setup.sh          runtime only (what `make demo` needs)
#   scripts/setup.sh --test   plus test tools and the Debian packages the tests use
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

PY=${PYTHON:-python3}
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"' || { echo "svidok needs Python 3.11 or newer" >&2; exit 1; }

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "Debian packages missing: ${missing[*]} (run as root, or install them with apt-get)" >&2
    return 1
  fi
  echo "installing Debian packages: ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

apt_install libmagic1 openssl
if [ $WITH_TEST = 1 ]; then
  # real S3 (Ceph RGW) and a real browser (Debian's chromium, driven by Playwright; never `playwright install`)
  apt_install radosgw ceph-mon ceph-osd ceph-common curl chromium
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -m uv --version >/dev/null 2>&1; then
  .venv/bin/python -m pip install -q --disable-pip-version-check uv==0.13.8
fi
STAMP=.venv/.svidok-lock
HASH=$(cat requirements.lock pyproject.toml verify/pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$HASH" ]; then
  .venv/bin/python -m uv pip sync -q --python .venv/bin/python requirements.lock
  echo "$HASH" > "$STAMP"
fi
# Byte-compile the packages and the project once: where PYTHONDONTWRITEBYTECODE is set (as on
# this kind of machine) Python would otherwise compile every imported module from source at each
# start of `svidok` (about 5 s). Up-to-date files are skipped, so a second run only checks.
.venv/bin/python -m compileall -q -j 0 .venv/lib/python3*/site-packages src verify/src >/dev/null

# Front-end libraries (htmx, Leaflet) from the npm registry, never copied into the repository.
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
WEB_STAMP=web/node_modules/.svidok-lock
WEB_HASH=$(sha256sum web/package-lock.json | cut -c1-16)
if [ ! -f "$WEB_STAMP" ] || [ "$(cat "$WEB_STAMP")" != "$WEB_HASH" ]; then
  npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null
  echo "$WEB_HASH" > "$WEB_STAMP"
fi
