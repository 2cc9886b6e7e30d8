-- The scheduled sweeper: generations past the hard deadline are failed with a code and refunded
-- exactly once; deleting or abandoning a generating clip queues its provider task for cancelling;
-- pg_cron's call of the sweep-generations function goes through pg_net with the Vault secrets.
begin;
select plan(30);

select tests.create_user('sw@test.invalid', '5eeeeeee-0000-4000-8000-000000000001');
insert into public.projects (id, user_id) values ('5eeeeeee-0000-4000-8000-0000000000a1', '5eeeeeee-0000-4000-8000-000000000001');
insert into public.clips (id, project_id, image_url) values
  ('5eeeeeee-0000-4000-8000-0000000000c1', '5eeeeeee-0000-4000-8000-0000000000a1', '1.jpg'),
  ('5eeeeeee-0000-4000-8000-0000000000c2', '5eeeeeee-0000-4000-8000-0000000000a1', '2.jpg'),
  ('5eeeeeee-0000-4000-8000-0000000000c3', '5eeeeeee-0000-4000-8000-0000000000a1', '3.jpg'),
  ('5eeeeeee-0000-4000-8000-0000000000c4', '5eeeeeee-0000-4000-8000-0000000000a1', '4.jpg');
select tests.login_service();
select public.grant_purchase('cs_sweep', '5eeeeeee-0000-4000-8000-000000000001', 10, 499);
select public.reserve_generation_credit(c) from unnest(array['5eeeeeee-0000-4000-8000-0000000000c1',
  '5eeeeeee-0000-4000-8000-0000000000c2', '5eeeeeee-0000-4000-8000-0000000000c3']::uuid[]) c;
select public.record_generation_task('5eeeeeee-0000-4000-8000-0000000000c1', 'runway', 'task-abandoned');
select public.record_generation_task('5eeeeeee-0000-4000-8000-0000000000c2', 'runway', 'task-late');
select public.record_generation_task('5eeeeeee-0000-4000-8000-0000000000c3', 'runway', 'task-deleted');
select tests.logout();
-- c1: started 2 hours ago (past the hard deadline); c2: 20 minutes ago (past the soft one only); c3: now
update public.clips set generation_started_at = now() - interval '2 hours', generation_deadline = now() - interval '105 minutes'
 where id = '5eeeeeee-0000-4000-8000-0000000000c1';
update public.clips set generation_started_at = now() - interval '20 minutes', generation_deadline = now() - interval '5 minutes'
 where id = '5eeeeeee-0000-4000-8000-0000000000c2';
select is((select credit_balance from public.user_profiles where id = '5eeeeeee-0000-4000-8000-000000000001'), 8, '3 credits reserved');

-- who may run it
select is(tests.run_as('5eeeeeee-0000-4000-8000-000000000001', 'select public.settle_abandoned_generations()'), 'denied', 'users cannot run the sweeper');
select is(tests.run_as('anon', 'select public.settle_abandoned_generations()'), 'denied', 'anon cannot run the sweeper');
select is(tests.run_as('5eeeeeee-0000-4000-8000-000000000001', 'select public.claim_generation_cancellations()'), 'denied', 'users cannot claim cancellations');
select is(tests.run_as('5eeeeeee-0000-4000-8000-000000000001', 'select * from public.generation_cancellations'), 'denied', 'users cannot read the cancel queue');
select is(tests.run_as('service', $$insert into public.generation_cancellations (provider, task_id, reason) values ('runway', 'x', 'y')$$),
          'denied', 'the queue is written only through functions');

-- first sweep: only c1 ----------------------------------------------------------------------------
select tests.login_service();
select is(public.settle_abandoned_generations() - 'clip_ids',
          '{"settled": 1, "credits_refunded": 1}'::jsonb, 'one abandoned generation settled');
select tests.logout();
select is((select status from public.clips where id = '5eeeeeee-0000-4000-8000-0000000000c1'), 'failed', 'abandoned clip failed');
select matches((select error from public.clips where id = '5eeeeeee-0000-4000-8000-0000000000c1'), '^GENERATION_ABANDONED: ', 'with a code');
select is((select state from public.generation_reservations where clip_id = '5eeeeeee-0000-4000-8000-0000000000c1'), 'released', 'reservation released');
select is((select credit_balance from public.user_profiles where id = '5eeeeeee-0000-4000-8000-000000000001'), 9, 'credit refunded');
select is((select status from public.clips where id = '5eeeeeee-0000-4000-8000-0000000000c2'), 'generating', 'a clip past the soft deadline is left to the provider check');
select is((select status from public.clips where id = '5eeeeeee-0000-4000-8000-0000000000c3'), 'generating', 'a fresh clip is untouched');
select is((select task_id || ':' || reason from public.generation_cancellations where clip_id = '5eeeeeee-0000-4000-8000-0000000000c1'),
          'task-abandoned:generation abandoned', 'the abandoned task is queued for cancelling');

-- again: nothing more, the refund happened once
select tests.login_service();
select is(public.settle_abandoned_generations(), '{"settled": 0, "clip_ids": [], "credits_refunded": 0}'::jsonb, 'second sweep settles nothing');
select tests.logout();
select is((select credit_balance from public.user_profiles where id = '5eeeeeee-0000-4000-8000-000000000001'), 9, 'refunded exactly once');
select is((select count(*)::int from public.credit_transactions where user_id = '5eeeeeee-0000-4000-8000-000000000001'
             and type = 'generation_release'), 1, 'one release in the ledger');
select is(tests.ledger_violations(), 0::bigint, 'ledger invariant holds');

-- a late provider success cannot resurrect the abandoned clip
select tests.login_service();
select is(public.commit_generation_credit('5eeeeeee-0000-4000-8000-0000000000c1', 'x.mp4') ->> 'committed', 'false', 'late commit is refused');
select tests.logout();

-- deleting a generating clip: credit back and its task queued -------------------------------------------
select tests.login('5eeeeeee-0000-4000-8000-000000000001');
delete from public.clips where id = '5eeeeeee-0000-4000-8000-0000000000c3';
select tests.logout();
select is((select credit_balance from public.user_profiles where id = '5eeeeeee-0000-4000-8000-000000000001'), 10, 'delete refunds');
select is((select task_id || ':' || reason || ':' || user_id from public.generation_cancellations where clip_id = '5eeeeeee-0000-4000-8000-0000000000c3'),
          'task-deleted:clip deleted:5eeeeeee-0000-4000-8000-000000000001', 'the deleted clip''s task is queued');

-- the queue: claimed once, retried a minute later, finished ------------------------------------------------
select tests.login_service();
select is(jsonb_array_length(public.claim_generation_cancellations()), 2, 'two tasks to cancel');
select is(public.claim_generation_cancellations(), '[]'::jsonb, 'just-claimed tasks are not handed out again at once');
select ok(public.finish_generation_cancellation((select id from public.generation_cancellations where task_id = 'task-deleted')), 'one cancel done');
select ok(not public.finish_generation_cancellation((select id from public.generation_cancellations where task_id = 'task-deleted')), 'finishing twice is a no-op');
select tests.logout();
update public.generation_cancellations set last_attempt_at = now() - interval '2 minutes';
select tests.login_service();
select is(public.claim_generation_cancellations() -> 0 ->> 'task_id', 'task-abandoned', 'an unfinished cancel is retried later');
select tests.logout();

-- pg_cron's call through pg_net ---------------------------------------------------------------------
select is(private.request_generation_sweep(), null, 'without pg_net nothing is requested');
create schema net;
create table net.calls (url text, body jsonb, headers jsonb, timeout_milliseconds integer);
create function net.http_post(url text, body jsonb default '{}', params jsonb default '{}', headers jsonb default '{}',
  timeout_milliseconds integer default 5000) returns bigint language sql as $$
  insert into net.calls values (url, body, headers, timeout_milliseconds) returning 42::bigint
$$;
create schema vault;
create table vault.decrypted_secrets (name text, decrypted_secret text);
select is(private.request_generation_sweep(), null, 'without the Vault secrets nothing is requested');
insert into vault.decrypted_secrets values ('echoes_project_url', 'https://ref.supabase.invalid/'), ('echoes_service_role_key', 'service-key');
select is(private.request_generation_sweep(), 42::bigint, 'with pg_net and the secrets the function is called');
select is((select url || ' ' || (headers ->> 'Authorization') from net.calls), 'https://ref.supabase.invalid/functions/v1/sweep-generations Bearer service-key',
          'POST to sweep-generations with the service key');
select * from finish();
rollback;
