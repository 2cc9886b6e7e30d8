-- Deletes leave tombstones that only the owner reads: a clip's delete, a project's delete (its clips
-- included), a row inserted again under its id takes its tombstone away, deleting a generating clip
-- still refunds its credit, the purge drops old tombstones, and nobody but the owner sees them.
begin;
select plan(24);

select tests.create_user('tomb-a@test.invalid', '70bbbbbb-0000-4000-8000-000000000001');
select tests.create_user('tomb-b@test.invalid', '70bbbbbb-0000-4000-8000-000000000002');
insert into public.projects (id, user_id) values
  ('70bbbbbb-0000-4000-8000-0000000000a1', '70bbbbbb-0000-4000-8000-000000000001'),
  ('70bbbbbb-0000-4000-8000-0000000000a2', '70bbbbbb-0000-4000-8000-000000000001');
insert into public.clips (id, project_id, image_url) values
  ('70bbbbbb-0000-4000-8000-0000000000c1', '70bbbbbb-0000-4000-8000-0000000000a1', '1.jpg'),
  ('70bbbbbb-0000-4000-8000-0000000000c2', '70bbbbbb-0000-4000-8000-0000000000a1', '2.jpg'),
  ('70bbbbbb-0000-4000-8000-0000000000c3', '70bbbbbb-0000-4000-8000-0000000000a2', '3.jpg'),
  ('70bbbbbb-0000-4000-8000-0000000000c4', '70bbbbbb-0000-4000-8000-0000000000a2', '4.jpg');

-- who may write and purge
select is(tests.run_as('70bbbbbb-0000-4000-8000-000000000001',
  $$insert into public.sync_tombstones (table_name, id, user_id) values ('clips', gen_random_uuid(), '70bbbbbb-0000-4000-8000-000000000001')$$),
  'denied', 'users cannot write tombstones');
select is(tests.run_as('70bbbbbb-0000-4000-8000-000000000001', 'delete from public.sync_tombstones'),
  'denied', 'users cannot delete tombstones');
select is(tests.run_as('70bbbbbb-0000-4000-8000-000000000001', 'select public.purge_sync_tombstones()'),
  'denied', 'users cannot purge');
select is(tests.run_as('anon', 'select * from public.sync_tombstones'), 'denied', 'anon cannot read tombstones');

-- another user cannot delete A's clip, and so leaves no tombstone
select is(tests.run_as('70bbbbbb-0000-4000-8000-000000000002',
  $$delete from public.clips where id = '70bbbbbb-0000-4000-8000-0000000000c1'$$), '0', 'B cannot delete A''s clip');
select is((select count(*)::int from public.sync_tombstones where id::text like '70bbbbbb%'), 0, 'no tombstone from a refused delete');

-- a generating clip: its delete still refunds the credit
select tests.login_service();
select public.grant_purchase('cs_tomb', '70bbbbbb-0000-4000-8000-000000000001', 5, 499);
select public.reserve_generation_credit('70bbbbbb-0000-4000-8000-0000000000c2');
select tests.logout();
select is((select credit_balance from public.user_profiles where id = '70bbbbbb-0000-4000-8000-000000000001'), 5,
  'one credit reserved');

-- A deletes two clips through RLS
select is(tests.run_as('70bbbbbb-0000-4000-8000-000000000001',
  $$delete from public.clips where id in ('70bbbbbb-0000-4000-8000-0000000000c1', '70bbbbbb-0000-4000-8000-0000000000c2')$$),
  '2', 'A deletes two clips');
select is((select credit_balance from public.user_profiles where id = '70bbbbbb-0000-4000-8000-000000000001'), 6,
  'the generating clip''s credit is refunded');
select is(tests.ledger_violations(), 0::bigint, 'the ledger holds');
select results_eq(
  $$select table_name, id, user_id, project_id from public.sync_tombstones where id::text like '70bbbbbb%' order by id$$,
  $$values ('clips'::text, '70bbbbbb-0000-4000-8000-0000000000c1'::uuid, '70bbbbbb-0000-4000-8000-000000000001'::uuid, '70bbbbbb-0000-4000-8000-0000000000a1'::uuid),
           ('clips'::text, '70bbbbbb-0000-4000-8000-0000000000c2'::uuid, '70bbbbbb-0000-4000-8000-000000000001'::uuid, '70bbbbbb-0000-4000-8000-0000000000a1'::uuid)$$,
  'each deleted clip has a tombstone naming its owner and project');
select ok((select bool_and(deleted_at = now()) from public.sync_tombstones where id::text like '70bbbbbb%'), 'deleted_at is the delete''s time');

-- A deletes a project: tombstones for it and its clips
select is(tests.run_as('70bbbbbb-0000-4000-8000-000000000001',
  $$delete from public.projects where id = '70bbbbbb-0000-4000-8000-0000000000a2'$$), '1', 'A deletes a project');
select results_eq(
  $$select table_name, id from public.sync_tombstones where id::text like '%a2' or project_id = '70bbbbbb-0000-4000-8000-0000000000a2' order by table_name, id$$,
  $$values ('clips'::text, '70bbbbbb-0000-4000-8000-0000000000c3'::uuid), ('clips'::text, '70bbbbbb-0000-4000-8000-0000000000c4'::uuid),
           ('projects'::text, '70bbbbbb-0000-4000-8000-0000000000a2'::uuid)$$,
  'the project and its clips have tombstones');

-- who reads them
select tests.login('70bbbbbb-0000-4000-8000-000000000001');
select is((select count(*)::int from public.sync_tombstones), 5, 'the owner reads all five tombstones');
select is((select count(*)::int from public.sync_tombstones where table_name = 'clips' and deleted_at >= now()), 4,
  'the owner pulls clip tombstones by time');
select tests.logout();
select tests.login('70bbbbbb-0000-4000-8000-000000000002');
select is((select count(*)::int from public.sync_tombstones), 0, 'another user sees none of them');
select is((select count(*)::int from public.sync_tombstones where id = '70bbbbbb-0000-4000-8000-0000000000c1'), 0,
  'not even by id');
select tests.logout();

-- a clip inserted again under its id is alive: its tombstone goes
select is(tests.run_as('70bbbbbb-0000-4000-8000-000000000001',
  $$insert into public.clips (id, project_id, image_url) values ('70bbbbbb-0000-4000-8000-0000000000c1', '70bbbbbb-0000-4000-8000-0000000000a1', '1.jpg')$$),
  '1', 'A puts the clip back');
select is((select count(*)::int from public.sync_tombstones where id = '70bbbbbb-0000-4000-8000-0000000000c1'), 0,
  'its tombstone is gone');

-- deleting the account leaves no tombstone behind to fail on
delete from auth.users where id = '70bbbbbb-0000-4000-8000-000000000002';
select is((select count(*)::int from public.sync_tombstones where user_id = '70bbbbbb-0000-4000-8000-000000000002'), 0,
  'no tombstones for a deleted account');

-- purge: only tombstones older than the limit
delete from public.sync_tombstones where id::text not like '70bbbbbb%';  -- (a database other tests used)
update public.sync_tombstones set deleted_at = now() - interval '40 days' where id = '70bbbbbb-0000-4000-8000-0000000000c2';
select tests.login_service();
select is(public.purge_sync_tombstones(), 1, 'the purge drops the tombstone older than 30 days');
select is((select count(*)::int from public.sync_tombstones), 3, 'the recent ones stay');
select tests.logout();
update public.sync_tombstones set deleted_at = now() - interval '1 second';
select tests.login_service();
select is(public.purge_sync_tombstones(interval '0'), 3, 'a purge with no grace drops the rest');
select tests.logout();

select * from finish();
rollback;
