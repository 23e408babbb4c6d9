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
