#!/usr/bin/env bash
# One command from a fresh clone: install, create the SQLite demo (Sumsel), print demo users, serve on :8000.
#   scripts/demo.sh [--no-serve] [--port N]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/ucj demo "$@"
