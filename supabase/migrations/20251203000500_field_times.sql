-- Per-field last writer wins on the server. Rows keep their updated_at (the pull cursor), and now also
-- field_times: {column: the time the client wrote that value}. An update that names fields in
-- field_times keeps, field by field, the later write: a value whose time is not after the one the
-- server has is left as it was. So two devices' edits of different fields of one row both survive,
-- whatever order they reach the server in. Updates without new field_times (Edge Functions, RPCs,
-- older clients) apply as before. Only the columns users may write take times.

alter table public.projects add column field_times jsonb not null default '{}'
  constraint projects_field_times_object check (jsonb_typeof(field_times) = 'object');
alter table public.clips add column field_times jsonb not null default '{}'
  constraint clips_field_times_object check (jsonb_typeof(field_times) = 'object');

grant insert (field_times), update (field_times) on public.projects, public.clips to authenticated;

-- tg_argv: the columns that take times
create or replace function private.merge_field_times() returns trigger
language plpgsql set search_path = '' as $$
declare
  v_old jsonb := to_jsonb(old);
  v_keep jsonb := '{}';
  v_times jsonb := old.field_times;
  v_key text;
  v_time text;
begin
  -- no new times (or not an object: the CHECK refuses it)
  if new.field_times is not distinct from old.field_times or jsonb_typeof(new.field_times) <> 'object' then
    return new;
  end if;
  for v_key, v_time in select key, value from jsonb_each_text(new.field_times) loop
    if not (v_key = any (tg_argv)) or v_time is null then
      continue;
    end if;
    if v_times ? v_key and (v_times ->> v_key)::timestamptz >= v_time::timestamptz then
      v_keep := v_keep || jsonb_build_object(v_key, v_old -> v_key);  -- the server's write is the later one
    else
      v_times := v_times || jsonb_build_object(v_key, v_time);
    end if;
  end loop;
  new := jsonb_populate_record(new, v_keep);
  new.field_times := v_times;
  return new;
end $$;
revoke execute on function private.merge_field_times() from public, anon, authenticated, service_role;

create trigger projects_field_times before update on public.projects
  for each row execute function private.merge_field_times('title', 'music_url', 'status');
create trigger clips_field_times before update on public.clips
  for each row execute function private.merge_field_times('approved', 'prompt');
