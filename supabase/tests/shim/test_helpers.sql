-- Test-only helpers (schema "tests"), applied after the migrations by tests/run.sh.
create schema if not exists tests;
grant usage on schema tests to public;

-- create an auth user (fires the signup trigger) and return its id
create or replace function tests.create_user(p_email text, p_id uuid default gen_random_uuid())
returns uuid language sql security definer set search_path = '' as $$
  insert into auth.users (id, email) values (p_id, p_email) returning id
$$;

-- act as a user / anon / service_role for the rest of the transaction
create or replace function tests.login(p_uid uuid) returns void language plpgsql as $$
begin
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims',
    json_build_object('sub', p_uid, 'role', 'authenticated', 'aud', 'authenticated')::text, true);
end $$;
create or replace function tests.login_anon() returns void language plpgsql as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
end $$;
create or replace function tests.login_service() returns void language plpgsql as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', '{"role":"service_role"}', true);
end $$;
create or replace function tests.logout() returns void language plpgsql as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
end $$;

-- run a statement; return the number of affected rows, or 'denied' (42501), or the SQLSTATE
create or replace function tests.try_count(p_sql text) returns text language plpgsql as $$
declare v_n bigint;
begin
  execute p_sql;
  get diagnostics v_n = row_count;
  return v_n::text;
exception
  when insufficient_privilege then return 'denied';
  when others then return sqlstate;
end $$;

-- the ledger invariant for every user: returns the number of users where it does not hold
create or replace function tests.ledger_violations() returns bigint language sql security definer set search_path = '' as $$
  select count(*) from public.user_profiles p
   where p.credit_balance <> coalesce((select sum(t.amount) from public.credit_transactions t where t.user_id = p.id), 0)
$$;

grant execute on all functions in schema tests to public;

-- run p_sql as 'anon' | 'service' | a user uuid; returns tests.try_count's result and resets the role
create or replace function tests.run_as(p_who text, p_sql text) returns text language plpgsql as $$
declare v_result text;
begin
  if p_who = 'anon' then
    perform tests.login_anon();
  elsif p_who = 'service' then
    perform tests.login_service();
  else
    perform tests.login(p_who::uuid);
  end if;
  v_result := tests.try_count(p_sql);
  perform tests.logout();
  return v_result;
end $$;
grant execute on all functions in schema tests to public;
