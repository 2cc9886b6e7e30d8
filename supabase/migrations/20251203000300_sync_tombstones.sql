-- Deletes that reach the user's other devices.
-- Projects and clips are still deleted for good (so the delete triggers keep refunding the credit of a
-- generating clip and queueing its provider task for cancelling, and nothing else has to skip deleted
-- rows), but each delete leaves a tombstone in public.sync_tombstones: the table and id of the row, its
-- owner and the time of the delete. A device pulls the tombstones of its user written since its last
-- pull (deleted_at, like updated_at for live rows) and trashes the rows locally. A row inserted again
-- under the same id (a device restoring a clip it edited after another device deleted it) takes its
-- tombstone away. Tombstones older than 30 days are purged (purge_sync_tombstones); a device offline for
-- longer does not learn of older deletes.

create table public.sync_tombstones (
  table_name text not null constraint sync_tombstones_table_check check (table_name in ('projects', 'clips')),
  id uuid not null,
  user_id uuid not null,           -- no foreign key: the owner may be being deleted in the same statement
  project_id uuid,                 -- a clip's project
  deleted_at timestamptz not null default now(),
  primary key (table_name, id)
);
create index sync_tombstones_user_time_idx on public.sync_tombstones (user_id, table_name, deleted_at, id);
create index sync_tombstones_time_idx on public.sync_tombstones (deleted_at);
comment on table public.sync_tombstones is
  'Rows of projects and clips deleted in the last 30 days, for the sync of the owner''s other devices.';

alter table public.sync_tombstones enable row level security;
revoke all on public.sync_tombstones from public, anon, authenticated, service_role;
grant select on public.sync_tombstones to authenticated, service_role;
create policy "tombstones: owner reads" on public.sync_tombstones
  for select to authenticated using (user_id = (select auth.uid()));

create or replace function private.record_tombstone(p_table text, p_id uuid, p_user_id uuid, p_project_id uuid)
returns void language plpgsql security definer set search_path = '' as $$
begin
  if p_user_id is null or not exists (select 1 from auth.users where id = p_user_id) then
    return;  -- the account itself is going: no device left to tell
  end if;
  insert into public.sync_tombstones (table_name, id, user_id, project_id)
  values (p_table, p_id, p_user_id, p_project_id)
  on conflict (table_name, id) do update set deleted_at = now(), user_id = excluded.user_id,
                                             project_id = excluded.project_id;
end $$;

-- a project's delete: tombstones for it and for its clips (their own delete triggers run in the
-- cascade, when the project row is already gone and the owner can no longer be looked up)
create or replace function private.projects_tombstone() returns trigger
language plpgsql security definer set search_path = '' as $$
declare v_clip uuid;
begin
  perform private.record_tombstone('projects', old.id, old.user_id, null);
  for v_clip in select id from public.clips where project_id = old.id loop
    perform private.record_tombstone('clips', v_clip, old.user_id, old.id);
  end loop;
  return old;
end $$;

create or replace function private.clips_tombstone() returns trigger
language plpgsql security definer set search_path = '' as $$
declare v_owner uuid;
begin
  select user_id into v_owner from public.projects where id = old.project_id;
  if found then
    perform private.record_tombstone('clips', old.id, v_owner, old.project_id);
  end if;
  return null;
end $$;

-- a row back under its id: no longer deleted
create or replace function private.forget_tombstone() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  delete from public.sync_tombstones where table_name = tg_table_name and id = new.id;
  return null;
end $$;

create trigger projects_tombstone before delete on public.projects
  for each row execute function private.projects_tombstone();
create trigger clips_tombstone after delete on public.clips
  for each row execute function private.clips_tombstone();
create trigger projects_forget_tombstone after insert on public.projects
  for each row execute function private.forget_tombstone();
create trigger clips_forget_tombstone after insert on public.clips
  for each row execute function private.forget_tombstone();

-- service_role / pg_cron: drop tombstones older than p_older_than; returns how many went
create or replace function public.purge_sync_tombstones(p_older_than interval default interval '30 days')
returns integer language plpgsql security definer set search_path = '' as $$
declare v_count integer;
begin
  delete from public.sync_tombstones where deleted_at < now() - greatest(coalesce(p_older_than, interval '30 days'), interval '0');
  get diagnostics v_count = row_count;
  return v_count;
end $$;

revoke execute on function private.record_tombstone(text, uuid, uuid, uuid), private.projects_tombstone(),
  private.clips_tombstone(), private.forget_tombstone() from public, anon, authenticated, service_role;
revoke execute on function public.purge_sync_tombstones(interval) from public, anon, authenticated, service_role;
grant execute on function public.purge_sync_tombstones(interval) to service_role;

do $$
begin
  if to_regnamespace('cron') is null then
    raise notice 'pg_cron is not in use: schedule public.purge_sync_tombstones() another way';
    return;
  end if;
  begin
    perform cron.schedule('echoes-purge-sync-tombstones', '17 3 * * *', 'select public.purge_sync_tombstones()');
  exception when others then
    raise warning 'pg_cron could not schedule the tombstone purge (%)', sqlerrm;
  end;
end $$;
