#!/usr/bin/env bash
# Runs every server-side test of Echoes against a throwaway PostgreSQL 15 cluster:
# pgTAP files (tests/sql), the concurrency test and the Deno tests (tests/deno).
# Needs: postgresql-15, postgresql-15-pgtap, pg_prove, deno. Run as root or as a normal user.
# Last line: "supabase: N passed, N failed".
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SUPA="$(cd "$HERE/.." && pwd)"
export NO_COLOR=1
export DENO_DIR="${DENO_DIR:-/tmp/echoes-supabase-deno-dir}"

passed=0
failed=0
summary() { echo "supabase: $passed passed, $failed failed"; }

# shellcheck source=pg.sh
source "$HERE/pg.sh"
cleanup() {
  local rc=$?
  pg_stop
  exit "$rc"
}
trap cleanup EXIT INT TERM

pg_start
echo "== applying shim + migrations"
pg_apply_schema

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
# --allow-run: standin_main/standin_restart spawn tests/standin/main.ts with this same deno binary (Deno.execPath()).
# npm: imports (postgres, @supabase/supabase-js, tus-js-client, stripe) are fetched by deno itself into DENO_DIR on
# first use (needs the npm registry once; module loading is not limited by --allow-net); the tests themselves may
# only connect to 127.0.0.1.
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
