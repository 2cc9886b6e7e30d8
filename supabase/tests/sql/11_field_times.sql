-- Per-field last writer wins: writes of different fields arriving out of order both stay; an older
-- write of a field loses to the newer one; updates without times apply as before.
begin;
select plan(8);

select tests.create_user('ft@test.invalid', '72dddddd-0000-4000-8000-000000000001');
insert into public.projects (id, user_id, title, field_times) values
  ('72dddddd-0000-4000-8000-0000000000a1', '72dddddd-0000-4000-8000-000000000001', 'first', '{"title": "2026-01-01T00:00:00.000001Z"}');
insert into public.clips (id, project_id, image_url, prompt) values
  ('72dddddd-0000-4000-8000-0000000000c1', '72dddddd-0000-4000-8000-0000000000a1', '1.jpg', 'p0');

select tests.login('72dddddd-0000-4000-8000-000000000001');
-- device B's status change (written at 10:00) reaches the server first, device A's title (09:00) after
update public.projects set status = 'completed', field_times = field_times || '{"status": "2026-01-01T10:00:00.000002Z"}'
 where id = '72dddddd-0000-4000-8000-0000000000a1';
update public.projects set title = 'from A', field_times = field_times || '{"title": "2026-01-01T09:00:00.000003Z"}'
 where id = '72dddddd-0000-4000-8000-0000000000a1';
select results_eq($$select title, status from public.projects where id = '72dddddd-0000-4000-8000-0000000000a1'$$,
  $$values ('from A'::text, 'completed'::text)$$, 'both edits of different fields stay');
-- an older title loses, even though it arrives last
update public.projects set title = 'stale', field_times = field_times || '{"title": "2026-01-01T08:00:00Z"}'
 where id = '72dddddd-0000-4000-8000-0000000000a1';
select is((select title from public.projects where id = '72dddddd-0000-4000-8000-0000000000a1'), 'from A', 'an older write of a field loses');
select is((select field_times ->> 'title' from public.projects where id = '72dddddd-0000-4000-8000-0000000000a1'),
  '2026-01-01T09:00:00.000003Z', 'the field keeps its later time, to the microsecond');
-- clips: prompt and approval
update public.clips set prompt = 'p1', field_times = '{"prompt": "2026-01-01T10:00:00Z"}' where id = '72dddddd-0000-4000-8000-0000000000c1';
update public.clips set prompt = 'p-old', field_times = '{"prompt": "2026-01-01T09:59:59.999999Z"}' where id = '72dddddd-0000-4000-8000-0000000000c1';
select is((select prompt from public.clips where id = '72dddddd-0000-4000-8000-0000000000c1'), 'p1', 'an older prompt loses');
-- only the columns users write take times
update public.clips set field_times = '{"status": "2030-01-01T00:00:00Z", "prompt": "2026-01-01T10:00:00Z"}' where id = '72dddddd-0000-4000-8000-0000000000c1';
select is((select field_times from public.clips where id = '72dddddd-0000-4000-8000-0000000000c1'), '{"prompt": "2026-01-01T10:00:00Z"}'::jsonb,
  'times of other columns are not kept');
select is(tests.try_count($$update public.clips set field_times = '[]' where id = '72dddddd-0000-4000-8000-0000000000c1'$$), '23514',
  'field_times is an object');
select tests.logout();
-- an update without times (an Edge Function, an RPC) applies as before
select tests.login_service();
update public.clips set prompt = 'by the server' where id = '72dddddd-0000-4000-8000-0000000000c1';
select is((select prompt from public.clips where id = '72dddddd-0000-4000-8000-0000000000c1'), 'by the server', 'no times: a plain update');
select tests.logout();
select is(tests.run_as('72dddddd-0000-4000-8000-000000000001',
  $$update public.clips set field_times = '{"prompt": "not a time"}', prompt = 'x' where id = '72dddddd-0000-4000-8000-0000000000c1'$$),
  '22007', 'a time that is not one is refused');

select * from finish();
rollback;
