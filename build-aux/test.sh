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
    meson test -C build --no-suite bench --print-errorlogs --num-processes 2
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
    meson test -C build-asan --suite unit --print-errorlogs --num-processes 2
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
