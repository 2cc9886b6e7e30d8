-- Clip order, last writer wins per field like the other user-written columns
-- (20251203000500_field_times.sql). A client moving a clip passes the time it moved it
-- (p_time): the move applies only if no later move of that clip reached the server, and
-- field_times.order keeps its time. So a reorder made offline survives another device's
-- later edit of the same clip's approval or prompt (before, the client compared with the
-- row's updated_at, which any write bumps), and an older move arriving late loses to a newer
-- one. Shifting the neighbours to keep orders 0..n-1 writes no field time: only the clip the
-- user moved claims its place. A call without p_time applies as before.

drop trigger clips_field_times on public.clips;
create trigger clips_field_times before update on public.clips
  for each row execute function private.merge_field_times('approved', 'prompt', 'order');

drop function public.move_clip(uuid, integer);
create function public.move_clip(p_clip_id uuid, p_new_index integer, p_time timestamptz default null)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := auth.uid();
  v_service boolean := coalesce(auth.role() = 'service_role', false);
  v_project uuid; v_owner uuid; v_old integer; v_count integer; v_moved_at text;
  v_moved boolean := true;
begin
  select c.project_id, p.user_id into v_project, v_owner
    from public.clips c join public.projects p on p.id = c.project_id where c.id = p_clip_id;
  if not found or (not v_service and v_owner is distinct from v_uid) then
    raise exception using errcode = 'PT404', message = 'clip not found';
  end if;
  perform 1 from public.projects where id = v_project for update;
  select "order", field_times ->> 'order' into v_old, v_moved_at from public.clips where id = p_clip_id;
  select count(*) into v_count from public.clips where project_id = v_project;
  if p_new_index is null or p_new_index < 0 or p_new_index >= v_count then
    raise exception using errcode = '22023',
      message = format('new_index must be between 0 and %s', v_count - 1);
  end if;
  if p_time is not null and v_moved_at is not null and v_moved_at::timestamptz >= p_time then
    v_moved := false;  -- a later move of this clip is already here
  else
    if p_new_index < v_old then
      update public.clips set "order" = "order" + 1
       where project_id = v_project and "order" >= p_new_index and "order" < v_old;
    elsif p_new_index > v_old then
      update public.clips set "order" = "order" - 1
       where project_id = v_project and "order" > v_old and "order" <= p_new_index;
    end if;
    if p_time is null then
      update public.clips set "order" = p_new_index where id = p_clip_id;
    else
      update public.clips set "order" = p_new_index,
                              field_times = field_times || jsonb_build_object('order', p_time)
       where id = p_clip_id;
    end if;
  end if;
  return jsonb_build_object('clip_id', p_clip_id, 'order',
    (select "order" from public.clips where id = p_clip_id), 'moved', v_moved,
    'clips', (select jsonb_agg(jsonb_build_object('id', id, 'order', "order") order by "order")
                from public.clips where project_id = v_project));
end $$;
revoke execute on function public.move_clip(uuid, integer, timestamptz) from public, anon, authenticated, service_role;
grant execute on function public.move_clip(uuid, integer, timestamptz) to authenticated, service_role;
