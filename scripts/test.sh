#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, types, tests on SQLite, tests on PostgreSQL.
#   scripts/test.sh [extra pytest args]
# PostgreSQL: uses UCJ_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/ucj); starts a local
# cluster if one is installed but stopped; installs one with apt under CI=true as root; otherwise the
# PostgreSQL run is skipped with a message. Browser tests use Debian's chromium (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
export PATH="$PWD/.venv/bin:$PATH"
export UCJ_TEST_POSTGRES_URL=${UCJ_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/ucj}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

ensure_chromium() {
  command -v chromium >/dev/null && return 0
  if command -v apt-get >/dev/null; then
    echo "== installing Debian chromium for the browser tests"
    (as_root apt-get update -qq && as_root apt-get install -y -qq chromium >/dev/null) || true
  fi
  command -v chromium >/dev/null || echo "!! chromium not available: browser tests will be skipped"
}

pg_up() { python - <<'PY'
import os, sys
import psycopg
url = os.environ["UCJ_TEST_POSTGRES_URL"].rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:  # report why, the caller decides
    print(f"   ({type(exc).__name__}: {str(exc).strip()[:160]})")
    sys.exit(1)
PY
}

ensure_postgres() {
  pg_up >/dev/null && return 0
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "== starting the local PostgreSQL cluster"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    sleep 2
  elif [ "${CI:-}" = "true" ] && command -v apt-get >/dev/null; then
    echo "== installing PostgreSQL for CI"
    (as_root apt-get update -qq && as_root apt-get install -y -qq postgresql >/dev/null \
      && as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start \
      && as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"") || true
    export UCJ_TEST_POSTGRES_URL=postgres://postgres:postgres@127.0.0.1:5432/ucj
    sleep 2
  fi
  pg_up
}

echo "== ruff"; ruff check src tests bench
echo "== mypy"; mypy
ensure_chromium
# Two workers (this project's machines have 2 cores; each worker has its own test database); the browser tests
# run alone afterwards, since a loaded machine makes their map clicks time out.
echo "== pytest on SQLite"
pytest -p no:cacheprovider -n 2 -m "not browser" "$@"
echo "== browser tests on SQLite"
pytest -p no:cacheprovider -m browser "$@"
echo "== pytest on PostgreSQL ($UCJ_TEST_POSTGRES_URL)"
if ensure_postgres; then
  UCJ_TEST_DB=postgres pytest -p no:cacheprovider -n 2 -m "not browser" "$@"
else
  echo "!! SKIPPED: no PostgreSQL reachable at $UCJ_TEST_POSTGRES_URL — the PostgreSQL run did not happen."
  [ "${CI:-}" = "true" ] && { echo "CI must exercise PostgreSQL." >&2; exit 1; }
fi
