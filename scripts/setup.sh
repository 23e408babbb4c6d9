#!/usr/bin/env bash
# Create ./.venv with Python 3.11 and install UCJ with pinned dependencies (requirements.lock).
#   scripts/setup.sh          runtime only
#   scripts/setup.sh dev      runtime + test/lint tools
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${UCJ_PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY=$candidate; break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "UCJ needs Python 3.11 (set UCJ_PYTHON to its path)." >&2
  exit 2
fi

if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    # Debian ships venv separately.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$PY" -m venv .venv
    else
      echo "Python's venv module is missing: install python3-venv." >&2
      exit 2
    fi
  fi
fi

stamp=.venv/.ucj-installed-${1:-runtime}
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  extra=""
  [ "${1:-}" = "dev" ] && extra="[dev]"
  .venv/bin/python -m pip install -q -c requirements.lock -e ".${extra}"
  echo "$want" > "$stamp"
fi

# PDF reports (WeasyPrint) need Pango and a font from Debian; install them if missing and we may.
if ! .venv/bin/python -c 'import weasyprint' >/dev/null 2>&1 || ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q libharfbuzz-subset; then
  if command -v apt-get >/dev/null 2>&1; then
    pkgs="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq $pkgs >/dev/null || true
    elif command -v sudo >/dev/null 2>&1; then
      sudo -n apt-get update -qq && sudo -n apt-get install -y -qq $pkgs >/dev/null || true
    fi
  fi
  .venv/bin/python -c 'import weasyprint' >/dev/null 2>&1 \
    || echo "!! WeasyPrint cannot load Pango: install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core (PDF reports)" >&2
fi
