#!/usr/bin/env bash
# Runs a test program against a real local backend: build-aux/backend.sh (throwaway PostgreSQL
# + the Supabase stand-in) on a free loopback port, with ECHOES_SUPABASE_URL and
# ECHOES_SUPABASE_ANON_KEY exported for the test (and ECHOES_TEST_RUNWAY_URL /
# ECHOES_TEST_STRIPE_URL, the fakes' addresses). Everything is stopped and removed after.
#   tests/cloud-standin.sh [--runway-ms N] TEST-PROGRAM [ARGS…]
#     --runway-ms N: fake Runway tasks succeed N ms after they were started (default 10000)
set -euo pipefail
if [ "${1:-}" = "--runway-ms" ]; then
  export STANDIN_RUNWAY_MS="$2"
  shift 2
fi
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
backend="${ECHOES_BACKEND_SH:-$top/build-aux/backend.sh}"
work="$(mktemp -d -t echoes-cloud-standin.XXXXXX)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

bash "$backend" --port "$port" --info-file "$work/info.json" --env-file "$work/env" \
  --data-dir "$work/data" --quiet >"$work/backend.log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 1800); do
  if [ -s "$work/env" ]; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/backend.log" >&2; echo "cloud-standin.sh: the backend exited" >&2; exit 1; fi
  sleep 0.1
done
[ -s "$work/env" ] || { echo "cloud-standin.sh: the backend did not start" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
source "$work/env"
set +a
for _ in $(seq 1 100); do [ -s "$work/info.json" ] && break; sleep 0.1; done
ECHOES_TEST_RUNWAY_URL="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("runway_url", ""))' "$work/info.json")"
ECHOES_TEST_STRIPE_URL="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("stripe_url", ""))' "$work/info.json")"
export ECHOES_TEST_RUNWAY_URL ECHOES_TEST_STRIPE_URL
"$@"
