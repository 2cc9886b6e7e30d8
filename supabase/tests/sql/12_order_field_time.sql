-- Clip order, last writer wins per field: a move carries its time; an older move arriving
-- late loses; edits of other fields do not block a move; neighbours shifted by a move take
-- no time; a move without a time applies as before; another user still cannot move.
begin;
select plan(9);

select tests.create_user('of@test.invalid', '73dddddd-0000-4000-8000-000000000001');
select tests.create_user('of2@test.invalid', '73dddddd-0000-4000-8000-000000000002');
insert into public.projects (id, user_id) values ('73dddddd-0000-4000-8000-0000000000a1', '73dddddd-0000-4000-8000-000000000001');

create function pg_temp.orders() returns text language sql as $$
  select string_agg(right(id::text, 1), '' order by "order")
  from public.clips where project_id = '73dddddd-0000-4000-8000-0000000000a1'
$$;

select tests.login('73dddddd-0000-4000-8000-000000000001');
insert into public.clips (id, project_id, image_url) values
  ('73dddddd-0000-4000-8000-0000000000c1', '73dddddd-0000-4000-8000-0000000000a1', '1'),
  ('73dddddd-0000-4000-8000-0000000000c2', '73dddddd-0000-4000-8000-0000000000a1', '2'),
  ('73dddddd-0000-4000-8000-0000000000c3', '73dddddd-0000-4000-8000-0000000000a1', '3');

-- device B edits clip 3's prompt at 10:00 and it reaches the server first; device A moved
-- clip 3 to the front at 09:00, offline: the move still applies
update public.clips set prompt = 'B', field_times = field_times || '{"prompt": "2026-01-01T10:00:00Z"}'
 where id = '73dddddd-0000-4000-8000-0000000000c3';
select is(public.move_clip('73dddddd-0000-4000-8000-0000000000c3', 0, '2026-01-01T09:00:00Z') ->> 'moved', 'true',
          'a move older than another field''s edit applies');
select is(pg_temp.orders(), '312', 'clip 3 is first');
select is((select field_times ->> 'order' from public.clips where id = '73dddddd-0000-4000-8000-0000000000c3')::timestamptz,
          '2026-01-01T09:00:00Z'::timestamptz, 'the move keeps its time');
select is((select count(*)::int from public.clips where project_id = '73dddddd-0000-4000-8000-0000000000a1'
            and field_times ? 'order'), 1, 'the shifted neighbours take no time');

-- an older move of the same clip, arriving late, loses
select is(public.move_clip('73dddddd-0000-4000-8000-0000000000c3', 2, '2026-01-01T08:00:00Z') ->> 'moved', 'false',
          'an older move of the clip is refused');
select is(pg_temp.orders(), '312', 'the order is unchanged by the older move');

-- a newer one wins
select is(public.move_clip('73dddddd-0000-4000-8000-0000000000c3', 1, '2026-01-01T11:00:00Z') ->> 'order', '1',
          'a newer move applies');

-- without a time, as before
select lives_ok($$select public.move_clip('73dddddd-0000-4000-8000-0000000000c1', 2)$$, 'a move without a time applies');
select tests.logout();

select tests.login('73dddddd-0000-4000-8000-000000000002');
select throws_ok($$select public.move_clip('73dddddd-0000-4000-8000-0000000000c1', 0, now())$$, 'PT404', 'clip not found',
                 'another user cannot move my clip, with a time either');
select tests.logout();
select * from finish();
rollback;
