-- A clip generated on the user's computer: attach_local_video() marks it ready with the video at its
-- place in the clips bucket, so that its approval is accepted; only the owner may, never for a clip the
-- server is generating, and no credit moves.
begin;
select plan(12);

select tests.create_user('local-a@test.invalid', '71cccccc-0000-4000-8000-000000000001');
select tests.create_user('local-b@test.invalid', '71cccccc-0000-4000-8000-000000000002');
insert into public.projects (id, user_id) values ('71cccccc-0000-4000-8000-0000000000a1', '71cccccc-0000-4000-8000-000000000001');
insert into public.clips (id, project_id, image_url) values
  ('71cccccc-0000-4000-8000-0000000000c1', '71cccccc-0000-4000-8000-0000000000a1', '1.jpg'),
  ('71cccccc-0000-4000-8000-0000000000c2', '71cccccc-0000-4000-8000-0000000000a1', '2.jpg');
select tests.login_service();
select public.reserve_generation_credit('71cccccc-0000-4000-8000-0000000000c2');
select tests.logout();

select is(tests.run_as('71cccccc-0000-4000-8000-000000000001',
  $$update public.clips set approved = true where id = '71cccccc-0000-4000-8000-0000000000c1'$$), '23514',
  'a pending clip cannot be approved');
select is(tests.run_as('71cccccc-0000-4000-8000-000000000002',
  $$select public.attach_local_video('71cccccc-0000-4000-8000-0000000000c1')$$), 'denied',
  'another user cannot attach a video to A''s clip');
select is(tests.run_as('anon', $$select public.attach_local_video('71cccccc-0000-4000-8000-0000000000c1')$$), 'denied',
  'anon cannot');
select is(tests.run_as('71cccccc-0000-4000-8000-000000000001',
  $$select public.attach_local_video('00000000-0000-4000-8000-000000000000')$$), 'denied',
  'a missing clip gets the same refusal');
select is(tests.run_as('71cccccc-0000-4000-8000-000000000001',
  $$select public.attach_local_video('71cccccc-0000-4000-8000-0000000000c2')$$), '22023',
  'a clip the server is generating is refused');
select is((select status from public.clips where id = '71cccccc-0000-4000-8000-0000000000c1'), 'pending',
  'nothing changed by the refusals');

select tests.login('71cccccc-0000-4000-8000-000000000001');
select ok(public.attach_local_video('71cccccc-0000-4000-8000-0000000000c1') = now(), 'the owner attaches; the new updated_at is returned');
select tests.logout();
select results_eq(
  $$select status, video_url, provider, error from public.clips where id = '71cccccc-0000-4000-8000-0000000000c1'$$,
  $$values ('ready'::text, '71cccccc-0000-4000-8000-000000000001/71cccccc-0000-4000-8000-0000000000a1/71cccccc-0000-4000-8000-0000000000c1.mp4'::text,
            'local'::text, null::text)$$,
  'ready, with the video at clips/{user}/{project}/{clip}.mp4');
select is(tests.run_as('71cccccc-0000-4000-8000-000000000001',
  $$update public.clips set approved = true where id = '71cccccc-0000-4000-8000-0000000000c1'$$), '1',
  'now its approval is accepted');
select is(tests.run_as('71cccccc-0000-4000-8000-000000000001',
  $$insert into storage.objects (bucket_id, name, owner) values ('clips', '71cccccc-0000-4000-8000-000000000001/71cccccc-0000-4000-8000-0000000000a1/71cccccc-0000-4000-8000-0000000000c1.mp4', '71cccccc-0000-4000-8000-000000000001')$$),
  '1', 'the owner uploads the video there');
select is((select credit_balance from public.user_profiles where id = '71cccccc-0000-4000-8000-000000000001'), 0,
  'no credit moved (the one reserved for the server''s generation stays reserved)');
select is(tests.ledger_violations(), 0::bigint, 'the ledger holds');

select * from finish();
rollback;
