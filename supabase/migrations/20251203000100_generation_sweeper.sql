-- Abandoned generations and provider task cancellation.
--  * settle_abandoned_generations(): clips still `generating` past a hard deadline (1 hour after the
--    start, i.e. 45 minutes past the 15-minute deadline that clip-status and the sweep-generations
--    Edge Function act on) are marked failed with the code GENERATION_ABANDONED and their credit is
--    refunded through the ledger, exactly once. Scheduled with pg_cron when available.
--  * generation_cancellations: provider tasks to cancel (a generating clip was deleted, or abandoned);
--    the sweep-generations Edge Function drains it with the provider's cancel call.
--  * request_generation_sweep(): lets pg_cron call sweep-generations through pg_net when both the
--    extension and the Vault secrets exist.

create or replace function private.generation_hard_grace() returns interval language sql immutable as $$ select interval '45 minutes' $$;

create table public.generation_cancellations (
  id uuid primary key default gen_random_uuid(),
  provider text not null constraint generation_cancellations_provider_check check (provider ~ '^[a-z0-9_]{1,32}$'),
  task_id text not null,
  clip_id uuid,                     -- no foreign key: the clip is usually gone
  user_id uuid,
  reason text not null,
  requested_at timestamptz not null default now(),
  attempts integer not null default 0,
  last_attempt_at timestamptz,
  done_at timestamptz,
  constraint generation_cancellations_task_key unique (provider, task_id)
);
create index generation_cancellations_open_idx on public.generation_cancellations (requested_at) where done_at is null;
alter table public.generation_cancellations enable row level security;
revoke all on public.generation_cancellations from public, anon, authenticated, service_role;
grant select on public.generation_cancellations to service_role;

create or replace function private.queue_task_cancellation(p_provider text, p_task_id text, p_clip_id uuid,
  p_user_id uuid, p_reason text)
returns void language plpgsql security definer set search_path = '' as $$
begin
  if p_provider is null or p_task_id is null then
    return;
  end if;
  insert into public.generation_cancellations (provider, task_id, clip_id, user_id, reason)
  values (p_provider, p_task_id, p_clip_id, p_user_id, p_reason)
  on conflict (provider, task_id) do nothing;
end $$;

-- deleting a generating clip releases its credit (as before) and queues its provider task for cancelling
create or replace function private.clips_before_delete() returns trigger
language plpgsql security definer set search_path = '' as $$
declare v_owner uuid;
begin
  if exists (select 1 from public.generation_reservations r
              join public.user_profiles p on p.id = r.user_id
             where r.clip_id = old.id and r.state = 'reserved') then
    perform private.settle_reservation(old.id, 'released', 'clip deleted');
  end if;
  if old.status = 'generating' and old.provider_task_id is not null then
    select user_id into v_owner from public.projects where id = old.project_id;
    perform private.queue_task_cancellation(old.provider, old.provider_task_id, old.id, v_owner, 'clip deleted');
  end if;
  return old;
end $$;

-- service_role / pg_cron: settle generations nobody settled by the hard deadline ---------------------------
create or replace function public.settle_abandoned_generations(p_limit integer default 200)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_clip record;
  v_ids uuid[] := '{}';
  v_released integer := 0;
begin
  for v_clip in
    select c.id, c.provider, c.provider_task_id, p.user_id
      from public.clips c join public.projects p on p.id = c.project_id
     where c.status = 'generating' and c.generation_deadline < now() - private.generation_hard_grace()
     order by c.generation_deadline
     limit greatest(coalesce(p_limit, 200), 0)
       for update of c skip locked   -- a clip being settled by clip-status right now is left to it
  loop
    if private.settle_reservation(v_clip.id, 'released', 'generation abandoned') then
      v_released := v_released + 1;
    end if;
    update public.clips
       set status = 'failed', completed_at = now(), generation_deadline = null,
           error = 'GENERATION_ABANDONED: the generation did not finish in time; the credit was refunded'
     where id = v_clip.id;
    perform private.queue_task_cancellation(v_clip.provider, v_clip.provider_task_id, v_clip.id, v_clip.user_id,
                                            'generation abandoned');
    v_ids := v_ids || v_clip.id;
  end loop;
  return jsonb_build_object('settled', coalesce(array_length(v_ids, 1), 0), 'credits_refunded', v_released,
                            'clip_ids', to_jsonb(v_ids));
end $$;

-- service_role: take up to p_limit queued cancellations (each retried at most 5 times, a minute apart)
create or replace function public.claim_generation_cancellations(p_limit integer default 50)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare v_rows jsonb;
begin
  with picked as (
    select id from public.generation_cancellations
     where done_at is null and attempts < 5
       and (last_attempt_at is null or last_attempt_at < now() - interval '1 minute')
     order by requested_at
     limit greatest(coalesce(p_limit, 50), 0)
       for update skip locked
  ), claimed as (
    update public.generation_cancellations g
       set attempts = g.attempts + 1, last_attempt_at = now()
      from picked where g.id = picked.id
    returning g.id, g.provider, g.task_id, g.clip_id
  )
  select coalesce(jsonb_agg(jsonb_build_object('id', id, 'provider', provider, 'task_id', task_id, 'clip_id', clip_id)), '[]')
    into v_rows from claimed;
  return v_rows;
end $$;

-- service_role: the provider confirmed the cancel (or the task is already gone)
create or replace function public.finish_generation_cancellation(p_id uuid)
returns boolean language plpgsql security definer set search_path = '' as $$
begin
  update public.generation_cancellations set done_at = now() where id = p_id and done_at is null;
  return found;
end $$;

-- service_role: queue a cancel that could not be done right away (e.g. the provider was unreachable)
create or replace function public.queue_generation_cancellation(p_provider text, p_task_id text, p_clip_id uuid, p_reason text)
returns boolean language plpgsql security definer set search_path = '' as $$
declare v_owner uuid;
begin
  select p.user_id into v_owner from public.clips c join public.projects p on p.id = c.project_id where c.id = p_clip_id;
  perform private.queue_task_cancellation(p_provider, p_task_id, p_clip_id, v_owner, coalesce(p_reason, 'cancel requested'));
  return true;
end $$;

-- pg_cron → pg_net → POST /functions/v1/sweep-generations, when pg_net is installed and the Vault holds
-- the secrets echoes_project_url (https://<ref>.supabase.co) and echoes_service_role_key.
-- Returns pg_net's request id, or null when something is missing (then only the SQL sweeper runs).
create or replace function private.request_generation_sweep() returns bigint
language plpgsql security definer set search_path = '' as $$
declare v_url text; v_key text; v_id bigint;
begin
  if to_regnamespace('net') is null or to_regclass('vault.decrypted_secrets') is null
     or to_regprocedure('net.http_post(text, jsonb, jsonb, jsonb, integer)') is null then
    return null;
  end if;
  execute 'select decrypted_secret from vault.decrypted_secrets where name = $1 limit 1' into v_url using 'echoes_project_url';
  execute 'select decrypted_secret from vault.decrypted_secrets where name = $1 limit 1' into v_key using 'echoes_service_role_key';
  if coalesce(v_url, '') = '' or coalesce(v_key, '') = '' then
    return null;
  end if;
  execute 'select net.http_post(url := $1, body := $2, params := $3, headers := $4, timeout_milliseconds := $5)'
     into v_id
    using rtrim(v_url, '/') || '/functions/v1/sweep-generations', '{}'::jsonb, '{}'::jsonb,
          jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || v_key), 60000;
  return v_id;
end $$;

revoke execute on function private.generation_hard_grace(), private.queue_task_cancellation(text, text, uuid, uuid, text),
  private.request_generation_sweep() from public, anon, authenticated, service_role;
revoke execute on function public.settle_abandoned_generations(integer), public.claim_generation_cancellations(integer),
  public.finish_generation_cancellation(uuid), public.queue_generation_cancellation(text, text, uuid, text)
  from public, anon, authenticated, service_role;
grant execute on function public.settle_abandoned_generations(integer), public.claim_generation_cancellations(integer),
  public.finish_generation_cancellation(uuid), public.queue_generation_cancellation(text, text, uuid, text) to service_role;

-- Schedules, only where pg_cron can be used (Supabase: enable it under Database → Extensions, or it is
-- created here). Re-running the migration just updates the jobs (cron.schedule upserts by name).
do $$
begin
  if not exists (select 1 from pg_available_extensions where name = 'pg_cron') then
    raise notice 'pg_cron is not available: schedule public.settle_abandoned_generations() and the sweep-generations function another way';
    return;
  end if;
  begin
    create extension if not exists pg_cron;
    perform cron.schedule('echoes-settle-abandoned-generations', '*/5 * * * *',
                          'select public.settle_abandoned_generations()');
    perform cron.schedule('echoes-sweep-generations', '* * * * *', 'select private.request_generation_sweep()');
  exception when others then
    raise warning 'pg_cron is available but could not be used (%); no schedule was created', sqlerrm;
  end;
end $$;
