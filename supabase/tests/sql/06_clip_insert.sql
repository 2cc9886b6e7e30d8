-- Clip inserts: another user's project is refused the way RLS refuses it, whatever the order
-- (nothing about that project leaks); batch inserts with orders in any array order; projects
-- inserted/upserted with the caller's own user_id.
begin;
select plan(31);

select tests.create_user('ins-a@test.invalid', 'eeeeeeee-0000-4000-8000-00000000000a');
select tests.create_user('ins-b@test.invalid', 'eeeeeeee-0000-4000-8000-00000000000b');
insert into public.projects (id, user_id) values
  ('eeeeeeee-0000-4000-8000-0000000000a1', 'eeeeeeee-0000-4000-8000-00000000000a'),
  ('eeeeeeee-0000-4000-8000-0000000000a2', 'eeeeeeee-0000-4000-8000-00000000000a'),
  ('eeeeeeee-0000-4000-8000-0000000000a3', 'eeeeeeee-0000-4000-8000-00000000000a');
insert into public.clips (id, project_id, image_url) values
  ('eeeeeeee-0000-4000-8000-0000000000c1', 'eeeeeeee-0000-4000-8000-0000000000a1', '1'),
  ('eeeeeeee-0000-4000-8000-0000000000c2', 'eeeeeeee-0000-4000-8000-0000000000a1', '2');

-- "ids in order" of a project: last character of each clip id, then whether orders are 0..n-1
create function pg_temp.orders(p uuid) returns text language sql as $$
  select coalesce(string_agg(right(id::text, 1), '' order by "order"), '')
    || '|' || coalesce((select bool_and(o = rn - 1) from (select "order" as o, row_number() over (order by "order") as rn
                 from public.clips where project_id = p) s), true)::text
  from public.clips where project_id = p
$$;

-- B against A's project: always the RLS refusal, never the order range (which would reveal the clip count)
select tests.login('eeeeeeee-0000-4000-8000-00000000000b');
select throws_ok(format($$insert into public.clips (project_id, image_url, "order") values ('eeeeeeee-0000-4000-8000-0000000000a1', 'x', %s)$$, o),
                 '42501', 'new row violates row-level security policy for table "clips"',
                 'B inserting into A''s project with order ' || o || ' gets the RLS refusal')
  from unnest(array['null', '0', '2', '3', '99', '-1']) o;
select throws_ok($$insert into public.clips (project_id, image_url, "order") values
                   ('eeeeeeee-0000-4000-8000-0000000000a1', 'x', 7), ('eeeeeeee-0000-4000-8000-0000000000a1', 'y', 0)$$,
                 '42501', 'new row violates row-level security policy for table "clips"', 'a batch into A''s project is refused the same way');
select throws_ok($$insert into public.clips (project_id, image_url, "order") values ('eeeeeeee-0000-4000-8000-0000000000ff', 'x', 5)$$,
                 '42501', 'new row violates row-level security policy for table "clips"', 'a project that does not exist looks the same');
select tests.logout();
select tests.login_anon();
select throws_ok($$insert into public.clips (project_id, image_url, "order") values ('eeeeeeee-0000-4000-8000-0000000000a1', 'x', 99)$$,
                 '42501', null, 'anon is refused');
select tests.logout();
select is(pg_temp.orders('eeeeeeee-0000-4000-8000-0000000000a1'), '12|true', 'A''s clips untouched');

-- A: batches with orders in any array order ------------------------------------------------
select tests.login('eeeeeeee-0000-4000-8000-00000000000a');
select results_eq($$insert into public.clips (id, project_id, image_url, "order") values
                    ('eeeeeeee-0000-4000-8000-0000000000d3', 'eeeeeeee-0000-4000-8000-0000000000a2', '3', 2),
                    ('eeeeeeee-0000-4000-8000-0000000000d1', 'eeeeeeee-0000-4000-8000-0000000000a2', '1', 0),
                    ('eeeeeeee-0000-4000-8000-0000000000d2', 'eeeeeeee-0000-4000-8000-0000000000a2', '2', 1)
                    returning "order"$$, $$values (2), (0), (1)$$, 'one INSERT of orders [2,0,1] succeeds and returns them');
select is(pg_temp.orders('eeeeeeee-0000-4000-8000-0000000000a2'), '123|true', '[2,0,1] lands as 0,1,2');
select lives_ok($$insert into public.clips (id, project_id, image_url, "order") values
                  ('eeeeeeee-0000-4000-8000-0000000000e5', 'eeeeeeee-0000-4000-8000-0000000000a2', '5', 1),
                  ('eeeeeeee-0000-4000-8000-0000000000e4', 'eeeeeeee-0000-4000-8000-0000000000a2', '4', 0)$$,
                'a batch into a project that has clips');
select is(pg_temp.orders('eeeeeeee-0000-4000-8000-0000000000a2'), '45123|true', 'new clips take their positions, the others follow in order');
select lives_ok($$insert into public.clips (id, project_id, image_url) values
                  ('eeeeeeee-0000-4000-8000-0000000000e6', 'eeeeeeee-0000-4000-8000-0000000000a2', '6'),
                  ('eeeeeeee-0000-4000-8000-0000000000e7', 'eeeeeeee-0000-4000-8000-0000000000a2', '7')$$,
                'a batch without orders');
select is(pg_temp.orders('eeeeeeee-0000-4000-8000-0000000000a2'), '4512367|true', 'order-less clips are appended in insertion order');
select lives_ok($$insert into public.clips (id, project_id, image_url, "order") values
                  ('eeeeeeee-0000-4000-8000-0000000000f8', 'eeeeeeee-0000-4000-8000-0000000000a3', '8', null),
                  ('eeeeeeee-0000-4000-8000-0000000000f9', 'eeeeeeee-0000-4000-8000-0000000000a3', '9', 0)$$,
                'append then insert at 0 in one statement');
select is(pg_temp.orders('eeeeeeee-0000-4000-8000-0000000000a3'), '98|true', 'the explicit position wins, the appended clip follows');
select throws_ok($$insert into public.clips (project_id, image_url, "order") values
                   ('eeeeeeee-0000-4000-8000-0000000000a3', 'x', 0), ('eeeeeeee-0000-4000-8000-0000000000a3', 'y', 0)$$,
                 '22023', 'clip order 0 is given to more than one new clip', 'the same position twice is refused');
select throws_ok($$insert into public.clips (project_id, image_url, "order") values
                   ('eeeeeeee-0000-4000-8000-0000000000a3', 'x', 4), ('eeeeeeee-0000-4000-8000-0000000000a3', 'y', 2)$$,
                 '22023', 'clip order must be between 0 and 3', 'a gap is refused with the valid range');
select throws_ok($$insert into public.clips (project_id, image_url, "order") values ('eeeeeeee-0000-4000-8000-0000000000a3', 'x', -1)$$,
                 '22023', 'clip order must be between 0 and 2', 'a negative order on one''s own project names the range');
select is(pg_temp.orders('eeeeeeee-0000-4000-8000-0000000000a3'), '98|true', 'refused batches leave nothing behind');
select lives_ok($$insert into public.clips (id, project_id, image_url, "order") values
                  ('eeeeeeee-0000-4000-8000-0000000000c3', 'eeeeeeee-0000-4000-8000-0000000000a1', '3', 2),
                  ('eeeeeeee-0000-4000-8000-0000000000ca', 'eeeeeeee-0000-4000-8000-0000000000a2', 'a', 1)$$,
                'a batch may span two projects (append to one, insert into the other)');
select is(pg_temp.orders('eeeeeeee-0000-4000-8000-0000000000a1'), '123|true', 'first project: appended');
select is(pg_temp.orders('eeeeeeee-0000-4000-8000-0000000000a2'), '4a512367|true', 'second project: inserted at 1');
select tests.logout();

-- projects: the caller's own user_id is accepted, anybody else's refused --------------------------
select is(tests.run_as('eeeeeeee-0000-4000-8000-00000000000a',
            $$insert into public.projects (user_id, title) values ('eeeeeeee-0000-4000-8000-00000000000a', 'mine')$$),
          '1', 'insert with one''s own user_id');
select is(tests.run_as('eeeeeeee-0000-4000-8000-00000000000a',
            $$insert into public.projects (user_id, title) values ('eeeeeeee-0000-4000-8000-00000000000b', 'yours')$$),
          'denied', 'insert with another user''s user_id is refused');
select is(tests.run_as('eeeeeeee-0000-4000-8000-00000000000a',
            $$insert into public.projects (id, user_id, title) values ('eeeeeeee-0000-4000-8000-0000000000a1', 'eeeeeeee-0000-4000-8000-00000000000a', 'renamed')
              on conflict (id) do update set user_id = excluded.user_id, title = excluded.title$$),
          '1', 'upsert (merge) with one''s own user_id');
select is(tests.run_as('eeeeeeee-0000-4000-8000-00000000000b',
            $$insert into public.projects (id, user_id, title) values ('eeeeeeee-0000-4000-8000-0000000000a1', 'eeeeeeee-0000-4000-8000-00000000000b', 'stolen')
              on conflict (id) do update set user_id = excluded.user_id, title = excluded.title$$),
          'denied', 'upsert over another user''s project is refused');
select is(tests.run_as('eeeeeeee-0000-4000-8000-00000000000a',
            $$update public.projects set user_id = 'eeeeeeee-0000-4000-8000-00000000000b' where id = 'eeeeeeee-0000-4000-8000-0000000000a1'$$),
          'denied', 'a project cannot be given away');
select is((select title || ':' || user_id from public.projects where id = 'eeeeeeee-0000-4000-8000-0000000000a1'),
          'renamed:eeeeeeee-0000-4000-8000-00000000000a', 'the project stays A''s');
select * from finish();
rollback;
