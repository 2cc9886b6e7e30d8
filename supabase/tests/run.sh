#!/usr/bin/env bash
# Runs every server-side test of Echoes against a throwaway PostgreSQL 15 cluster:
# pgTAP files (tests/sql), the concurrency test and the Deno tests (tests/deno).
# Needs: postgresql-15, postgresql-15-pgtap, pg_prove, deno. Run as root or as a normal user.
# Last line: "supabase: N passed, N failed".
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SUPA="$(cd "$HERE/.." && pwd)"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
export NO_COLOR=1
export DENO_DIR="${DENO_DIR:-/tmp/echoes-supabase-deno-dir}"

passed=0
failed=0
summary() { echo "supabase: $passed passed, $failed failed"; }

PGDIR="$(mktemp -d -t echoes-pg.XXXXXX)"
cleanup() {
  local rc=$?
  if [ -f "$PGDIR/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGDIR"
  exit "$rc"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$PGDIR"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

port=54329
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o "-p $port -k $PGDIR \
  -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
  -c max_connections=100" start >/dev/null

export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=echoes
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/echoes"
createdb echoes
psql -X -q -v ON_ERROR_STOP=1 -c 'create schema extensions; create schema tap; grant usage on schema tap, extensions to public;' -c 'create extension pgtap with schema tap; create extension "uuid-ossp" with schema extensions; create extension pgcrypto with schema extensions;' -c 'alter database echoes set search_path = "$user", public, tap, extensions;' >/dev/null

echo "== applying shim + migrations"
psql -X -q -v ON_ERROR_STOP=1 -f "$HERE/shim/auth_shim.sql" >/dev/null
for f in "$SUPA"/migrations/*.sql; do
  echo "   $(basename "$f")"
  psql -X -q -v ON_ERROR_STOP=1 -f "$f" >/dev/null
done
psql -X -q -v ON_ERROR_STOP=1 -f "$HERE/shim/test_helpers.sql" >/dev/null
echo "   seed.sql"
psql -X -q -v ON_ERROR_STOP=1 -f "$SUPA/seed.sql" >/dev/null

echo "== pgTAP"
set +e
tap="$(pg_prove -v --ext .sql "$HERE"/sql/ 2>&1)"
prove_rc=$?
set -e
echo "$tap" | grep -Ev '^\s*ok [0-9]+' || true
ok=$(echo "$tap" | grep -Ec '^\s*ok [0-9]+' || true)
nok=$(echo "$tap" | grep -Ec '^\s*not ok [0-9]+' || true)
passed=$((passed + ok)); failed=$((failed + nok))
if [ "$prove_rc" -ne 0 ] && [ "$nok" -eq 0 ]; then failed=$((failed + 1)); fi
echo "   pgTAP assertions: $ok ok, $nok not ok (pg_prove rc=$prove_rc)"

echo "== concurrency"
if bash "$HERE/concurrency.sh"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== deno lint + type check of the deployable functions"
if (cd "$SUPA" && deno lint functions tests >/dev/null 2>&1 && deno check functions/*/index.ts >/dev/null 2>&1); then
  passed=$((passed + 1)); echo "   ok"
else
  failed=$((failed + 1)); (cd "$SUPA" && deno lint functions tests; deno check functions/*/index.ts) 2>&1 | tail -n 30 || true
fi

echo "== deno"
set +e
# --allow-run: standin_main.test.ts spawns tests/standin/main.ts with this same deno binary (Deno.execPath())
denoout="$(cd "$HERE/deno" && deno test --no-check=remote --allow-net=127.0.0.1 --allow-env --allow-read --allow-write=/tmp \
  --allow-run="$(readlink -f "$(command -v deno)")" . 2>&1)"
deno_rc=$?
set -e
echo "$denoout" | tail -n 60
dline="$(echo "$denoout" | grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -n 1 || true)"
if [ -n "$dline" ]; then
  dp=$(echo "$dline" | sed -E 's/.*\| ([0-9]+) passed.*/\1/')
  df=$(echo "$dline" | sed -E 's/.*\| ([0-9]+) failed.*/\1/')
  passed=$((passed + dp)); failed=$((failed + df))
  if [ "$deno_rc" -ne 0 ] && [ "$df" -eq 0 ]; then failed=$((failed + 1)); fi
else
  failed=$((failed + 1))
fi

summary
[ "$failed" -eq 0 ]
