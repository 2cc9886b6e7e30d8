#!/usr/bin/env bash
# Runs every test of Echoes on Debian 12, from a fresh clone:
#   1. installs what is missing (build-aux/ci-install.sh; apt-get update first),
#   2. builds with -Dwerror=true and runs every meson test (unit, UI, data validators)
#      under Xvfb, a private D-Bus session and an unlocked throwaway keyring,
#   3. builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the
#      unit tests,
#   4. runs the server half's tests (supabase/tests/run.sh: PostgreSQL 15 + pgTAP,
#      deno tests).
# It ends with one line "total: N passed, N failed" and exits non-zero on any failure.
# A skipped test counts as a failure: every dependency is installed above.
# Benchmarks are not run here: `meson test -C build --suite bench --verbose`.
#
# `build-aux/test.sh --repeat N` hunts races instead (not run in CI): it builds `build`
# (no install, no sanitizers, no server) and runs the media and UI suites N times, the
# even runs under CPU load (stress-ng, or busy loops if it is missing), printing one
# line per run. It stops at the first run with a failure and shows the failing tests'
# logs.
set -uo pipefail

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$top"
export LC_ALL=C.UTF-8
export NO_AT_BRIDGE=1

passed=0
failed=0
started=$(date +%s)

note() { printf '\n=== %s (%ds)\n' "$*" "$(( $(date +%s) - started ))"; }
fail_stage() { echo "FAILED: $*"; failed=$((failed + 1)); }

# Counts the results of the last `meson test` run in build dir $1.
count_meson() {
  /usr/bin/python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = 0
with open(sys.argv[1]) as f:
    for line in f:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            ok += 1
        else:
            bad += 1
            print("  not ok:", json.loads(line)["name"], r, file=sys.stderr)
print(ok, bad)
PY
}


repeat=0
if [ "${1:-}" = "--repeat" ]; then
  repeat="${2:-}"
  case "$repeat" in
    ''|*[!0-9]*|0) echo "usage: $0 [--repeat N]" >&2; exit 2 ;;
  esac
fi

# Starts CPU load on every core; stop_load ends it.
load_pids=()
start_load() {
  local n
  n=$(nproc)
  if command -v stress-ng >/dev/null; then
    stress-ng --cpu "$n" --quiet &
    load_pids+=($!)
  else
    for _ in $(seq "$n"); do
      bash -c 'while :; do :; done' &
      load_pids+=($!)
    done
  fi
}
stop_load() {
  local pid
  for pid in "${load_pids[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  load_pids=()
}

if [ "$repeat" -gt 0 ]; then
  trap stop_load EXIT
  note "build (werror)"
  if [ ! -f build/build.ninja ]; then
    meson setup build -Dwerror=true >/dev/null || { echo "meson setup failed"; exit 1; }
  fi
  ninja -C build || { echo "build failed"; exit 1; }
  if command -v stress-ng >/dev/null; then
    load_name="stress-ng --cpu $(nproc)"
  else
    load_name="$(nproc) busy loops (stress-ng is not installed)"
  fi
  test_home=$(mktemp -d -t echoes-home.XXXXXX)
  for run in $(seq "$repeat"); do
    if [ $((run % 2)) = 0 ]; then
      mode="under load: $load_name"
      start_load
    else
      mode="no extra load"
    fi
    run_started=$(date +%s)
    HOME="$test_home" xvfb-run -a -s "-screen 0 3840x2160x24" \
      dbus-run-session -- bash build-aux/keyring-session.sh \
      meson test -C build --suite media --suite ui --num-processes 2 \
      --timeout-multiplier 4 --maxfail 1 --print-errorlogs >"build/meson-logs/repeat-$run.txt" 2>&1
    stop_load
    counts=$(count_meson build 2>/dev/null) || counts="0 1"
    cp build/meson-logs/testlog.txt "build/meson-logs/repeat-$run-testlog.txt"
    printf 'run %d/%d (%s): %d passed, %d failed (%ds)\n' "$run" "$repeat" "$mode" \
      "${counts% *}" "${counts#* }" "$(( $(date +%s) - run_started ))"
    if [ "${counts#* }" != 0 ]; then
      echo "FAILED in run $run; log: build/meson-logs/repeat-$run-testlog.txt"
      count_meson build >/dev/null
      # The failing test's output, as meson printed it (--print-errorlogs).
      tail -n 200 "build/meson-logs/repeat-$run.txt"
      rm -rf "$test_home"
      exit 1
    fi
  done
  rm -rf "$test_home"
  echo "repeat: $repeat of $repeat runs passed"
  exit 0
fi

note "dependencies"
bash build-aux/ci-install.sh || { echo "total: 0 passed, 1 failed"; exit 1; }

note "build (werror)"
if [ -f build/build.ninja ]; then
  meson setup --reconfigure build -Dwerror=true >/dev/null
else
  meson setup build -Dwerror=true >/dev/null
fi || fail_stage "meson setup"
if ninja -C build; then
  note "tests under Xvfb + D-Bus + keyring"
  # A throwaway HOME: the keyring is created there with a known password, unlocked.
  # A 4K screen: the wide-window test fills it (the others size their windows).
  test_home=$(mktemp -d -t echoes-home.XXXXXX)
  HOME="$test_home" xvfb-run -a -s "-screen 0 3840x2160x24" \
    dbus-run-session -- bash build-aux/keyring-session.sh \
    meson test -C build --no-suite bench --print-errorlogs --num-processes 2 --timeout-multiplier 2
  counts=$(count_meson build) || counts="0 1"
  passed=$((passed + ${counts% *}))
  failed=$((failed + ${counts#* }))
  echo "build: ${counts% *} passed, ${counts#* } failed"
  rm -rf "$test_home"
else
  fail_stage "build"
fi

note "sanitizers (address, undefined): unit tests"
if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debug -Dwerror=true >/dev/null || fail_stage "meson setup build-asan"
fi
if ninja -C build-asan; then
  ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --suite unit --print-errorlogs --num-processes 2 --timeout-multiplier 4
  counts=$(count_meson build-asan) || counts="0 1"
  passed=$((passed + ${counts% *}))
  failed=$((failed + ${counts#* }))
  echo "build-asan: ${counts% *} passed, ${counts#* } failed"
else
  fail_stage "ASan build"
fi

note "server half (PostgreSQL + pgTAP + deno)"
supa_log=$(mktemp)
bash supabase/tests/run.sh 2>&1 | tee "$supa_log"
supa_line=$(grep -E '^supabase: [0-9]+ passed, [0-9]+ failed$' "$supa_log" | tail -n 1)
if [ -n "$supa_line" ]; then
  read -r _ sp _ sf _ <<<"$supa_line"
  passed=$((passed + sp))
  failed=$((failed + sf))
else
  fail_stage "supabase tests did not finish"
fi
rm -f "$supa_log"

note "done"
echo "total: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
