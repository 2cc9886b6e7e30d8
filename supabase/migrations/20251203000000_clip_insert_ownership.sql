-- Clip inserts: ownership is checked before anything else, and one INSERT may carry several clips
-- whose explicit orders are final positions given in any row order (e.g. [2, 0, 1]).
-- Projects: the caller may name themselves in user_id (RLS pins it to auth.uid()).

-- Is the caller an end user (PostgREST's anon/authenticated role or an end-user JWT)?
-- A SECURITY DEFINER function runs as its owner, so RLS cannot decide for it: this tells it whose
-- rules apply. The "role" setting is the caller's SET ROLE (unchanged inside a definer function).
create or replace function private.caller_is_end_user() returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce(current_setting('role', true), 'none') in ('anon', 'authenticated')
      or coalesce(auth.role(), '') in ('anon', 'authenticated')
$$;

-- Same rule as the policy "clips: project owner inserts"; service_role and the database owner pass.
create or replace function private.caller_may_add_clip(p_project_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select not private.caller_is_end_user()
      or exists (select 1 from public.projects p
                  where p.id = p_project_id and p.user_id = auth.uid() and auth.uid() is not null)
$$;

-- Per row: refuse another user's project with the very error RLS gives (42501), before the project
-- row is locked or its clips counted; then serialise per project and give an order-less clip the
-- next position. Explicit orders are checked and made room for once per statement (below), because
-- the rows of a multi-row INSERT arrive one at a time in an unspecified order.
create or replace function private.clips_before_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare v_count integer;
begin
  if not private.caller_may_add_clip(new.project_id) then
    raise exception using errcode = '42501',
      message = 'new row violates row-level security policy for table "clips"';
  end if;
  perform 1 from public.projects where id = new.project_id for update;  -- serialise per project
  if new."order" is null then
    select count(*) into v_count from public.clips where project_id = new.project_id;
    new."order" := v_count;
    -- remembered for the statement trigger: this row takes a free position, it claims none
    perform set_config('echoes.clips_appended',
      coalesce(nullif(current_setting('echoes.clips_appended', true), '') || ',', '') || new.id::text, true);
  elsif new."order" < 0 then
    select count(*) into v_count from public.clips where project_id = new.project_id;
    raise exception using errcode = '22023', message = format('clip order must be between 0 and %s', v_count);
  end if;
  return new;
end $$;

-- Per statement: in every project touched, the explicit orders of the new rows are final positions
-- (0..n-1, each at most once); the project's other clips keep their relative order and fill the
-- remaining positions, followed by the order-less new rows in insertion order.
create or replace function private.clips_after_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_appended uuid[] := coalesce(string_to_array(nullif(current_setting('echoes.clips_appended', true), ''), ',')::uuid[],
                                '{}'::uuid[]);
  v_project uuid;
  v_n integer;
  v_pos integer;
begin
  perform set_config('echoes.clips_appended', '', true);
  for v_project in select distinct project_id from new_rows order by project_id loop
    select count(*) into v_n from public.clips where project_id = v_project;
    select "order" into v_pos from new_rows
     where project_id = v_project and id <> all (v_appended) and "order" >= v_n limit 1;
    if found then
      raise exception using errcode = '22023', message = format('clip order must be between 0 and %s', v_n - 1);
    end if;
    select "order" into v_pos from new_rows
     where project_id = v_project and id <> all (v_appended) group by "order" having count(*) > 1 limit 1;
    if found then
      raise exception using errcode = '22023', message = format('clip order %s is given to more than one new clip', v_pos);
    end if;
    with claimed as (
      select id, "order" as pos from new_rows where project_id = v_project and id <> all (v_appended)
    ), rest as (
      select c.id, row_number() over (order by (c.id = any (v_appended)), c."order", c.created_at, c.id) as k
        from public.clips c
       where c.project_id = v_project and c.id not in (select id from claimed)
    ), free as (
      select pos, row_number() over (order by pos) as k
        from generate_series(0, v_n - 1) pos where pos not in (select pos from claimed)
    )
    update public.clips c set "order" = f.pos
      from rest r join free f using (k)
     where c.id = r.id and c."order" <> f.pos;
  end loop;
  return null;
end $$;

create trigger clips_after_insert after insert on public.clips
  referencing new table as new_rows for each statement execute function private.clips_after_insert();

revoke execute on function private.caller_is_end_user(), private.caller_may_add_clip(uuid),
  private.clips_after_insert() from public, anon, authenticated, service_role;

-- supabase-js sends user_id on insert/upsert; the policies' WITH CHECK keep it equal to auth.uid()
grant insert (user_id) on public.projects to authenticated;
grant update (user_id) on public.projects to authenticated;
