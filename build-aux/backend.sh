#!/usr/bin/env bash
# A whole local Echoes backend in one command: a throwaway PostgreSQL 15 with the Supabase shim, every migration and
# seed.sql (supabase/tests/pg.sh), and the Supabase stand-in with the fake Runway and fake Stripe
# (supabase/tests/standin/main.ts --with-fakes) on http://127.0.0.1:54321.
#
#   build-aux/backend.sh [options]
#     interactive: prints the URL, the anon key and how to point the app at it; Ctrl-C stops everything and
#     removes the database.
#   build-aux/backend.sh --info-file FILE [--env-file FILE] [options]
#     for scripts and integration tests: once the backend is ready, FILE holds JSON {"url", "anon_key", "data_dir",
#     "runway_url", "stripe_url"} (written atomically, so wait until it exists); the env file holds
#     ECHOES_SUPABASE_URL=… and ECHOES_SUPABASE_ANON_KEY=… lines. The script stays in the foreground until it
#     receives SIGTERM or SIGINT, then stops the stand-in and removes the database.
#   options:
#     --port N           listen on 127.0.0.1:N (default 54321, or $ECHOES_BACKEND_PORT; 0 is not allowed)
#     --data-dir DIR     keep sessions, stored objects and unfinished TUS uploads in DIR across restarts of the
#                        stand-in (the database itself is always throwaway); default: a temporary directory
#     --autopay-ms N     the fake Stripe pays every checkout N ms after it is created (default: only on request,
#                        POST <stripe_url>/_test/checkout/<session id>/pay, or the Pay button of the checkout page)
#     --quiet            print nothing but errors
# Needs postgresql-15 (+ postgresql-15-pgtap) and deno. The fake Runway finishes every clip 10 s after it was
# started, reporting a steadily growing progress until then (STANDIN_RUNWAY_MS to change it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${ECHOES_BACKEND_PORT:-54321}"
info_file="" env_file="" data_dir="" autopay=0 quiet=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --info-file) info_file="$2"; shift 2 ;;
    --env-file) env_file="$2"; shift 2 ;;
    --data-dir) data_dir="$2"; shift 2 ;;
    --autopay-ms) autopay="$2"; shift 2 ;;
    --quiet) quiet=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "backend.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
say() { if [ "$quiet" = 0 ]; then echo "$@"; fi; }

command -v deno >/dev/null || { echo "backend.sh: deno is missing" >&2; exit 1; }
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "backend.sh: 127.0.0.1:$port is already in use" >&2
  exit 1
fi
export DENO_DIR="${DENO_DIR:-/tmp/echoes-supabase-deno-dir}"

# shellcheck source=../supabase/tests/pg.sh
source "$ROOT/supabase/tests/pg.sh"
work="$(mktemp -d -t echoes-backend.XXXXXX)"
standin_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$standin_pid" ]; then
    kill -TERM "$standin_pid" 2>/dev/null || true
    wait "$standin_pid" 2>/dev/null || true
  fi
  pg_stop
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

say "== PostgreSQL (throwaway) + shim + migrations"
pg_start
if [ "$quiet" = 1 ]; then pg_apply_schema >/dev/null; else pg_apply_schema; fi

say "== Supabase stand-in with fake Runway + Stripe"
args=(--with-fakes --info-file "${info_file:-$work/info.json}" --env-file "${env_file:-$work/env}")
if [ -n "$data_dir" ]; then mkdir -p "$data_dir"; args+=(--data-dir "$data_dir"); fi
PORT="$port" STANDIN_AUTOPAY_MS="$autopay" deno run -A "$ROOT/supabase/tests/standin/main.ts" "${args[@]}" >"$work/standin.out" &
standin_pid=$!

envf="${env_file:-$work/env}"
for _ in $(seq 1 600); do
  if [ -s "$envf" ]; then break; fi
  if ! kill -0 "$standin_pid" 2>/dev/null; then echo "backend.sh: the stand-in exited" >&2; exit 1; fi
  sleep 0.1
done
[ -s "$envf" ] || { echo "backend.sh: the stand-in did not start within 60 s" >&2; exit 1; }
# shellcheck disable=SC1090
source "$envf"
stripe_url="$(sed -n 's/.*"stripe_url": "\(.*\)".*/\1/p' "$work/standin.out")"

if [ "$quiet" = 0 ]; then
  cat <<MSG

Echoes local backend ready (Ctrl-C to stop; the database is removed on exit)
  URL       $ECHOES_SUPABASE_URL
  anon key  $ECHOES_SUPABASE_ANON_KEY
  database  $DATABASE_URL

Point the app at it and sign up with any e-mail address (no confirmation mail; password of 6+ characters):
  export ECHOES_SUPABASE_URL=$ECHOES_SUPABASE_URL
  export ECHOES_SUPABASE_ANON_KEY=$ECHOES_SUPABASE_ANON_KEY
  ./build/src/echoes

Google sign-in: the fake Google has no consent page; it signs in as the login_hint account (default
google.user@standin.invalid) and redirects straight back to the app's loopback redirect_to with a PKCE code.

Buying credits: the checkout page opens on the fake Stripe ($stripe_url); press Pay there, or
  curl -X POST $stripe_url/_test/checkout/<session id>/pay
delivers a signed checkout.session.completed webhook to stripe-webhook. Generated clips finish 10 s after their
first status poll (the fake Runway's MP4 is a placeholder, not a playable video).
MSG
fi
wait "$standin_pid"
