-- move_clip keeps orders 0..n-1 contiguous; inserts append or insert at a position; deletes compact.
begin;
select plan(16);
select tests.create_user('o@test.invalid', 'ffffffff-0000-4000-8000-000000000001');
select tests.create_user('o2@test.invalid', 'ffffffff-0000-4000-8000-000000000002');
insert into public.projects (id, user_id) values ('ffffffff-0000-4000-8000-0000000000a1', 'ffffffff-0000-4000-8000-000000000001');

create function pg_temp.orders() returns text language sql as $$
  select string_agg(right(id::text, 1), '' order by "order")
    || '|' || (select bool_and(o = rn - 1) from (select "order" as o, row_number() over (order by "order") as rn
                 from public.clips where project_id = 'ffffffff-0000-4000-8000-0000000000a1') s)::text
  from public.clips where project_id = 'ffffffff-0000-4000-8000-0000000000a1'
$$;

select tests.login('ffffffff-0000-4000-8000-000000000001');
insert into public.clips (id, project_id, image_url) values
  ('ffffffff-0000-4000-8000-0000000000c1', 'ffffffff-0000-4000-8000-0000000000a1', '1'),
  ('ffffffff-0000-4000-8000-0000000000c2', 'ffffffff-0000-4000-8000-0000000000a1', '2'),
  ('ffffffff-0000-4000-8000-0000000000c3', 'ffffffff-0000-4000-8000-0000000000a1', '3'),
  ('ffffffff-0000-4000-8000-0000000000c4', 'ffffffff-0000-4000-8000-0000000000a1', '4'),
  ('ffffffff-0000-4000-8000-0000000000c5', 'ffffffff-0000-4000-8000-0000000000a1', '5');
select is(pg_temp.orders(), '12345|true', 'inserts without order append');
select lives_ok($$select public.move_clip('ffffffff-0000-4000-8000-0000000000c1', 4)$$, 'move first to last');
select is(pg_temp.orders(), '23451|true', 'first -> last');
select lives_ok($$select public.move_clip('ffffffff-0000-4000-8000-0000000000c1', 0)$$, 'move last to first');
select is(pg_temp.orders(), '12345|true', 'last -> first');
select lives_ok($$select public.move_clip('ffffffff-0000-4000-8000-0000000000c4', 1)$$, 'move 4 to index 1');
select is(pg_temp.orders(), '14235|true', 'middle move up');
select is(public.move_clip('ffffffff-0000-4000-8000-0000000000c4', 1) -> 'clips' -> 1 ->> 'id', 'ffffffff-0000-4000-8000-0000000000c4', 'move to same index is a no-op and returns the order');
select throws_ok($$select public.move_clip('ffffffff-0000-4000-8000-0000000000c4', 5)$$, '22023', 'new_index must be between 0 and 4', 'index out of range');
select throws_ok($$select public.move_clip('ffffffff-0000-4000-8000-0000000000c4', -1)$$, '22023', null, 'negative index');
insert into public.clips (id, project_id, image_url, "order") values ('ffffffff-0000-4000-8000-0000000000c6', 'ffffffff-0000-4000-8000-0000000000a1', '6', 2);
select is(pg_temp.orders(), '146235|true', 'insert at a position shifts the rest');
select throws_ok($$insert into public.clips (project_id, image_url, "order") values ('ffffffff-0000-4000-8000-0000000000a1', 'x', 9)$$,
                 '22023', null, 'insert beyond the end is refused');
delete from public.clips where id in ('ffffffff-0000-4000-8000-0000000000c4', 'ffffffff-0000-4000-8000-0000000000c2');
select is(pg_temp.orders(), '1635|true', 'deleting two clips compacts the order');
select tests.logout();

select tests.login('ffffffff-0000-4000-8000-000000000002');
select throws_ok($$select public.move_clip('ffffffff-0000-4000-8000-0000000000c1', 0)$$, 'PT404', 'clip not found', 'another user cannot move my clip');
select tests.logout();
select is(pg_temp.orders(), '1635|true', 'order unchanged by the refused move');
delete from public.projects where id = 'ffffffff-0000-4000-8000-0000000000a1';
select is((select count(*)::int from public.clips where project_id = 'ffffffff-0000-4000-8000-0000000000a1'), 0, 'project delete cascades to clips');
select * from finish();
rollback;
