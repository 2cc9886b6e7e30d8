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

echo "== build-aux/backend.sh (one-command local backend: own cluster + stand-in with fakes)"
backend_check() {
  local bport=54400 dir rc=1 pid code
  while (exec 3<>"/dev/tcp/127.0.0.1/$bport") 2>/dev/null; do bport=$((bport + 1)); done
  dir="$(mktemp -d -t echoes-backend-check.XXXXXX)"
  bash "$SUPA/../build-aux/backend.sh" --quiet --port "$bport" --info-file "$dir/info.json" --env-file "$dir/env" >"$dir/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 900); do
    if [ -s "$dir/env" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -s "$dir/env" ] && [ -s "$dir/info.json" ]; then
    # shellcheck disable=SC1091
    source "$dir/env"
    code="$(curl -s -o "$dir/signup" -w '%{http_code}' -X POST "$ECHOES_SUPABASE_URL/auth/v1/signup" -H "apikey: $ECHOES_SUPABASE_ANON_KEY" \
      -H 'Content-Type: application/json' -d '{"email":"backend-check@test.invalid","password":"test-password"}')"
    if [ "$code" = 200 ] && grep -q '"access_token"' "$dir/signup" &&
       [ "$(curl -s -o /dev/null -w '%{http_code}' "$ECHOES_SUPABASE_URL/rest/v1/projects")" = 401 ]; then
      rc=0
    else
      echo "   sign-up through the backend answered $code"
    fi
  else
    echo "   backend.sh did not become ready:"; tail -n 20 "$dir/log"
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if (exec 3<>"/dev/tcp/127.0.0.1/$bport") 2>/dev/null; then echo "   port $bport still open after SIGTERM"; rc=1; fi
  rm -rf "$dir"
  return "$rc"
}
if backend_check; then passed=$((passed + 1)); echo "   ok"; else failed=$((failed + 1)); fi

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
