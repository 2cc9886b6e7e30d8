#!/usr/bin/env bash
# 20 concurrent psql sessions, each as the same user, try to reserve the user's last credit
# (one clip each). Exactly one must win; the balance must equal the ledger sum.
# Uses PGHOST/PGPORT/PGUSER/PGDATABASE from the environment (tests/run.sh sets them).
set -euo pipefail
N=20
UID_="12121212-0000-4000-8000-000000000001"
PROJ="12121212-0000-4000-8000-0000000000a1"
TMP="$(mktemp -d -t echoes-conc.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
q() { psql -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }

q -c "delete from auth.users where id = '$UID_'" >/dev/null
q -c "select tests.create_user('conc@test.invalid', '$UID_')" >/dev/null
q -c "insert into public.projects (id, user_id) values ('$PROJ', '$UID_')" >/dev/null
q -c "insert into public.clips (project_id, image_url) select '$PROJ', 'img' || g from generate_series(1, $N) g" >/dev/null
mapfile -t CLIPS < <(q -c "select id from public.clips where project_id = '$PROJ' order by \"order\"")

# barrier: every worker waits on an advisory lock held by this session until all are connected
q -c "select pg_advisory_lock(777001); select pg_sleep(1.5);" >/dev/null &
holder=$!
sleep 0.2
pids=()
for i in $(seq 0 $((N - 1))); do
  psql -X -q -t -A -v ON_ERROR_STOP=1 >"$TMP/out.$i" 2>"$TMP/err.$i" <<SQL &
begin;
select set_config('role', 'authenticated', true);
select set_config('request.jwt.claims', '{"sub":"$UID_","role":"authenticated"}', true);
select pg_advisory_xact_lock_shared(777001);
select public.reserve_generation_credit('${CLIPS[$i]}');
commit;
SQL
  pids+=($!)
done
wins=0; losses=0; other=0
for i in $(seq 0 $((N - 1))); do
  if wait "${pids[$i]}"; then wins=$((wins + 1));
  elif grep -q 'insufficient credits' "$TMP/err.$i"; then losses=$((losses + 1));
  else other=$((other + 1)); echo "worker $i unexpected error:"; cat "$TMP/err.$i"; fi
done
wait "$holder"
balance=$(q -c "select credit_balance from public.user_profiles where id = '$UID_'")
ledger=$(q -c "select coalesce(sum(amount), 0) from public.credit_transactions where user_id = '$UID_'")
generating=$(q -c "select count(*) from public.clips where project_id = '$PROJ' and status = 'generating'")
reservations=$(q -c "select count(*) from public.generation_reservations where user_id = '$UID_'")
q -c "delete from auth.users where id = '$UID_'" >/dev/null
echo "   concurrency: $N spenders -> wins=$wins insufficient=$losses other=$other balance=$balance ledger=$ledger generating=$generating reservations=$reservations"
[ "$wins" -eq 1 ] && [ "$losses" -eq $((N - 1)) ] && [ "$other" -eq 0 ] && [ "$balance" -eq 0 ] \
  && [ "$ledger" -eq 0 ] && [ "$generating" -eq 1 ] && [ "$reservations" -eq 1 ]
