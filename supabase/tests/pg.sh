# Throwaway PostgreSQL 15 cluster for Echoes' server half. Sourced (not run) by tests/run.sh and
# build-aux/backend.sh:
#   source supabase/tests/pg.sh
#   pg_start            # initdb + start on a free loopback port from ${PG_PORT_FROM:-54329}; exports PGHOST PGPORT
#                       # PGUSER PGDATABASE DATABASE_URL; database "echoes" with schemas extensions + tap
#   pg_apply_schema     # tests/shim/auth_shim.sql, every migration (ON_ERROR_STOP), tests/shim/test_helpers.sql, seed.sql
#   pg_stop             # immediate stop + remove the cluster (also safe when nothing was started)
# Works as root (the cluster runs as the postgres user) or as a normal user. PGBIN defaults to
# /usr/lib/postgresql/15/bin.

PG_SH_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PG_SH_SUPA="$(cd "$PG_SH_HERE/.." && pwd)"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PGDIR=""

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  PGDIR="$(mktemp -d -t echoes-pg.XXXXXX)"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDIR"; fi
  local port="${PG_PORT_FROM:-54329}" tries=0
  as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
  # another cluster starting at the same time (tests run in parallel) may take the port found free:
  # then the next one
  while :; do
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    if as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o "-p $port -k $PGDIR \
      -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
      -c max_connections=100" start >/dev/null; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 10 ]; then cat "$PGDIR/log" >&2; return 1; fi
    port=$((port + 1 + RANDOM % 20))
  done
  export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=echoes
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/echoes"
  createdb echoes
  psql -X -q -v ON_ERROR_STOP=1 -c 'create schema extensions; create schema tap; grant usage on schema tap, extensions to public;' \
    -c 'create extension pgtap with schema tap; create extension "uuid-ossp" with schema extensions; create extension pgcrypto with schema extensions;' \
    -c 'alter database echoes set search_path = "$user", public, tap, extensions;' >/dev/null
}

pg_apply_schema() {
  local PGOPTIONS="-c client_min_messages=warning"
  export PGOPTIONS
  psql -X -q -v ON_ERROR_STOP=1 -f "$PG_SH_HERE/shim/auth_shim.sql" >/dev/null
  local f
  for f in "$PG_SH_SUPA"/migrations/*.sql; do
    echo "   $(basename "$f")"
    psql -X -q -v ON_ERROR_STOP=1 -f "$f" >/dev/null
  done
  psql -X -q -v ON_ERROR_STOP=1 -f "$PG_SH_HERE/shim/test_helpers.sql" >/dev/null
  echo "   seed.sql"
  psql -X -q -v ON_ERROR_STOP=1 -f "$PG_SH_SUPA/seed.sql" >/dev/null
}

pg_stop() {
  if [ -n "$PGDIR" ] && [ -f "$PGDIR/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$PGDIR" ]; then rm -rf "$PGDIR"; fi
  PGDIR=""
}
