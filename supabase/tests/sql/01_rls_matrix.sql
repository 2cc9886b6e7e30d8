-- RLS / privilege matrix: anon, user A, user B x every table and storage.objects x select/insert/update/delete.
-- A = aaaaaaaa-…, B = bbbbbbbb-…; fixtures belong to A unless noted.
begin;
select plan(87);

select tests.create_user('a@test.invalid', 'aaaaaaaa-0000-4000-8000-000000000001');
select tests.create_user('b@test.invalid', 'bbbbbbbb-0000-4000-8000-000000000001');
insert into public.projects (id, user_id, title) values
  ('aaaaaaaa-0000-4000-8000-0000000000a1', 'aaaaaaaa-0000-4000-8000-000000000001', 'A project'),
  ('aaaaaaaa-0000-4000-8000-0000000000a2', 'aaaaaaaa-0000-4000-8000-000000000001', 'A project 2'),
  ('bbbbbbbb-0000-4000-8000-0000000000b1', 'bbbbbbbb-0000-4000-8000-000000000001', 'B project');
insert into public.clips (id, project_id, image_url) values
  ('aaaaaaaa-0000-4000-8000-0000000000c1', 'aaaaaaaa-0000-4000-8000-0000000000a1', 'a/1.jpg'),
  ('aaaaaaaa-0000-4000-8000-0000000000c2', 'aaaaaaaa-0000-4000-8000-0000000000a1', 'a/2.jpg');
select tests.login_service();
select public.reserve_generation_credit('aaaaaaaa-0000-4000-8000-0000000000c1');
select public.record_checkout_session('aaaaaaaa-0000-4000-8000-000000000001', 'cs_test_rls_a', 'pack_10', 499, 10);
select tests.logout();
insert into storage.objects (bucket_id, name, owner) values
  ('images', 'aaaaaaaa-0000-4000-8000-000000000001/p/a.jpg', 'aaaaaaaa-0000-4000-8000-000000000001'),
  ('images', 'aaaaaaaa-0000-4000-8000-000000000001/p/a2.jpg', 'aaaaaaaa-0000-4000-8000-000000000001'),
  ('clips',  'aaaaaaaa-0000-4000-8000-000000000001/p/a.mp4', 'aaaaaaaa-0000-4000-8000-000000000001'),
  ('images', 'bbbbbbbb-0000-4000-8000-000000000001/p/b.jpg', 'bbbbbbbb-0000-4000-8000-000000000001');

select is(tests.run_as(who, q), expected, descr) from (values
  -- user_profiles
  ('anon', $$select * from public.user_profiles$$, 'denied', 'anon cannot read profiles'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$select * from public.user_profiles$$, '1', 'A reads only own profile'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$select * from public.user_profiles where id = 'aaaaaaaa-0000-4000-8000-000000000001'$$, '0', 'B cannot read A profile'),
  ('anon', $$insert into public.user_profiles (id, referral_code) values (gen_random_uuid(), 'ZZZZZZZZ')$$, 'denied', 'anon cannot insert profile'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into public.user_profiles (id, referral_code) values ('aaaaaaaa-0000-4000-8000-000000000001', 'ZZZZZZZZ')$$, 'denied', 'A cannot insert profile'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$insert into public.user_profiles (id, referral_code) values (gen_random_uuid(), 'ZZZZZZZZ')$$, 'denied', 'B cannot insert profile'),
  ('anon', $$update public.user_profiles set credit_balance = 100$$, 'denied', 'anon cannot update profiles'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update public.user_profiles set credit_balance = 100 where id = 'aaaaaaaa-0000-4000-8000-000000000001'$$, 'denied', 'A cannot write own credit_balance'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update public.user_profiles set referred_by = 'bbbbbbbb-0000-4000-8000-000000000001' where id = 'aaaaaaaa-0000-4000-8000-000000000001'$$, 'denied', 'A cannot write referred_by'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$update public.user_profiles set credit_balance = 100 where id = 'aaaaaaaa-0000-4000-8000-000000000001'$$, 'denied', 'B cannot update A profile'),
  ('anon', $$delete from public.user_profiles$$, 'denied', 'anon cannot delete profiles'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$delete from public.user_profiles where id = 'aaaaaaaa-0000-4000-8000-000000000001'$$, 'denied', 'A cannot delete own profile'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$delete from public.user_profiles where id = 'aaaaaaaa-0000-4000-8000-000000000001'$$, 'denied', 'B cannot delete A profile'),
  ('service', $$update public.user_profiles set credit_balance = 100$$, 'denied', 'service_role cannot write balances directly'),
  -- projects
  ('anon', $$select * from public.projects$$, 'denied', 'anon cannot read projects'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$select * from public.projects$$, '2', 'A reads own projects only'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$select * from public.projects where user_id = 'aaaaaaaa-0000-4000-8000-000000000001'$$, '0', 'B cannot read A projects'),
  ('anon', $$insert into public.projects (title) values ('x')$$, 'denied', 'anon cannot insert projects'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into public.projects (title) values ('new')$$, '1', 'A inserts a project (user_id defaults to A)'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$insert into public.projects (user_id, title) values ('aaaaaaaa-0000-4000-8000-000000000001', 'x')$$, 'denied', 'B cannot insert a project for A'),
  ('anon', $$update public.projects set title = 'x'$$, 'denied', 'anon cannot update projects'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update public.projects set title = 'renamed' where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'$$, '1', 'A updates own project'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update public.projects set user_id = 'bbbbbbbb-0000-4000-8000-000000000001' where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'$$, 'denied', 'A cannot give a project away'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$update public.projects set title = 'pwned' where id = 'aaaaaaaa-0000-4000-8000-0000000000a1'$$, '0', 'B cannot update A project'),
  ('anon', $$delete from public.projects$$, 'denied', 'anon cannot delete projects'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$delete from public.projects where id = 'aaaaaaaa-0000-4000-8000-0000000000a2'$$, '0', 'B cannot delete A project'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$delete from public.projects where id = 'aaaaaaaa-0000-4000-8000-0000000000a2'$$, '1', 'A deletes own project'),
  -- clips (through the project's owner)
  ('anon', $$select * from public.clips$$, 'denied', 'anon cannot read clips'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$select * from public.clips$$, '2', 'A reads clips of own projects'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$select * from public.clips$$, '0', 'B cannot read A clips'),
  ('anon', $$insert into public.clips (project_id, image_url) values ('aaaaaaaa-0000-4000-8000-0000000000a1', 'x')$$, 'denied', 'anon cannot insert clips'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into public.clips (project_id, image_url) values ('aaaaaaaa-0000-4000-8000-0000000000a1', 'a/3.jpg')$$, '1', 'A inserts a clip into own project'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into public.clips (project_id, image_url, status) values ('aaaaaaaa-0000-4000-8000-0000000000a1', 'a/4.jpg', 'ready')$$, 'denied', 'A cannot insert a clip with server-owned status'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$insert into public.clips (project_id, image_url) values ('aaaaaaaa-0000-4000-8000-0000000000a1', 'x')$$, 'denied', 'B cannot insert into A project'),
  ('anon', $$update public.clips set prompt = 'x'$$, 'denied', 'anon cannot update clips'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update public.clips set prompt = 'slow zoom' where id = 'aaaaaaaa-0000-4000-8000-0000000000c2'$$, '1', 'A updates own clip prompt'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update public.clips set status = 'ready', video_url = 'x' where id = 'aaaaaaaa-0000-4000-8000-0000000000c2'$$, 'denied', 'A cannot mark a clip ready'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update public.clips set "order" = 7 where id = 'aaaaaaaa-0000-4000-8000-0000000000c2'$$, 'denied', 'A cannot write order directly (move_clip)'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$update public.clips set prompt = 'pwned' where id = 'aaaaaaaa-0000-4000-8000-0000000000c2'$$, '0', 'B cannot update A clip'),
  ('anon', $$delete from public.clips$$, 'denied', 'anon cannot delete clips'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$delete from public.clips where id = 'aaaaaaaa-0000-4000-8000-0000000000c2'$$, '0', 'B cannot delete A clip'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$delete from public.clips where id = 'aaaaaaaa-0000-4000-8000-0000000000c2'$$, '1', 'A deletes own clip'),
  -- credit_transactions
  ('anon', $$select * from public.credit_transactions$$, 'denied', 'anon cannot read ledger'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$select * from public.credit_transactions$$, '2', 'A reads own ledger (signup + reserve)'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$select * from public.credit_transactions where user_id = 'aaaaaaaa-0000-4000-8000-000000000001'$$, '0', 'B cannot read A ledger'),
  ('anon', $$insert into public.credit_transactions (user_id, amount, type) values ('aaaaaaaa-0000-4000-8000-000000000001', 9, 'purchase')$$, 'denied', 'anon cannot insert ledger'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into public.credit_transactions (user_id, amount, type) values ('aaaaaaaa-0000-4000-8000-000000000001', 9, 'purchase')$$, 'denied', 'A cannot insert ledger rows'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$insert into public.credit_transactions (user_id, amount, type) values ('bbbbbbbb-0000-4000-8000-000000000001', 9, 'purchase')$$, 'denied', 'B cannot insert ledger rows'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update public.credit_transactions set amount = 100$$, 'denied', 'A cannot update ledger'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$update public.credit_transactions set amount = 100$$, 'denied', 'B cannot update ledger'),
  ('anon', $$update public.credit_transactions set amount = 100$$, 'denied', 'anon cannot update ledger'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$delete from public.credit_transactions$$, 'denied', 'A cannot delete ledger'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$delete from public.credit_transactions$$, 'denied', 'B cannot delete ledger'),
  ('anon', $$delete from public.credit_transactions$$, 'denied', 'anon cannot delete ledger'),
  ('service', $$insert into public.credit_transactions (user_id, amount, type) values ('aaaaaaaa-0000-4000-8000-000000000001', 9, 'purchase')$$, 'denied', 'service_role cannot write ledger directly'),
  -- payments
  ('anon', $$select * from public.payments$$, 'denied', 'anon cannot read payments'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$select * from public.payments$$, '1', 'A reads own payments'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$select * from public.payments$$, '0', 'B cannot read A payments'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into public.payments (user_id, stripe_session_id, amount_cents, credits_purchased, status) values ('aaaaaaaa-0000-4000-8000-000000000001', 'cs_fake', 1, 1000, 'paid')$$, 'denied', 'A cannot insert payments'),
  ('anon', $$insert into public.payments (user_id, stripe_session_id, amount_cents, credits_purchased) values ('aaaaaaaa-0000-4000-8000-000000000001', 'cs_fake', 1, 1)$$, 'denied', 'anon cannot insert payments'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update public.payments set status = 'paid'$$, 'denied', 'A cannot mark a payment paid'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$update public.payments set status = 'paid'$$, 'denied', 'B cannot update payments'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$delete from public.payments$$, 'denied', 'A cannot delete payments'),
  ('anon', $$delete from public.payments$$, 'denied', 'anon cannot delete payments'),
  -- generation_reservations
  ('anon', $$select * from public.generation_reservations$$, 'denied', 'anon cannot read reservations'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$select * from public.generation_reservations$$, '1', 'A reads own reservations'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$select * from public.generation_reservations$$, '0', 'B cannot read A reservations'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update public.generation_reservations set state = 'released', settled_at = now()$$, 'denied', 'A cannot settle own reservation'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into public.generation_reservations (user_id) values ('aaaaaaaa-0000-4000-8000-000000000001')$$, 'denied', 'A cannot insert reservations'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$delete from public.generation_reservations$$, 'denied', 'B cannot delete reservations'),
  -- storage.objects: first folder must be the caller's uid
  ('anon', $$select * from storage.objects$$, '0', 'anon sees no objects'),
  ('anon', $$insert into storage.objects (bucket_id, name) values ('images', 'aaaaaaaa-0000-4000-8000-000000000001/p/x.jpg')$$, 'denied', 'anon cannot upload'),
  ('anon', $$update storage.objects set metadata = '{}'$$, '0', 'anon cannot update objects'),
  ('anon', $$delete from storage.objects$$, '0', 'anon cannot delete objects'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$select * from storage.objects$$, '3', 'A sees own images and clips only'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$select * from storage.objects where name like 'aaaaaaaa%'$$, '0', 'B cannot see A objects'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into storage.objects (bucket_id, name, owner) values ('images', 'aaaaaaaa-0000-4000-8000-000000000001/p/new.jpg', 'aaaaaaaa-0000-4000-8000-000000000001')$$, '1', 'A uploads into own images folder'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into storage.objects (bucket_id, name) values ('images', 'bbbbbbbb-0000-4000-8000-000000000001/p/evil.jpg')$$, 'denied', 'A cannot upload into B folder'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into storage.objects (bucket_id, name) values ('clips', 'aaaaaaaa-0000-4000-8000-000000000001/p/local.mp4')$$, '1', 'A uploads a video made on the computer into own clips folder'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$insert into storage.objects (bucket_id, name) values ('clips', 'bbbbbbbb-0000-4000-8000-000000000001/p/fake.mp4')$$, 'denied', 'A cannot write into B clips folder'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$insert into storage.objects (bucket_id, name) values ('images', 'aaaaaaaa-0000-4000-8000-000000000001/p/evil.jpg')$$, 'denied', 'B cannot upload into A folder'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$update storage.objects set metadata = '{"a":1}' where name = 'aaaaaaaa-0000-4000-8000-000000000001/p/a.jpg'$$, '1', 'A updates own image'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$update storage.objects set metadata = '{"b":1}' where name like 'aaaaaaaa%'$$, '0', 'B cannot update A objects'),
  ('bbbbbbbb-0000-4000-8000-000000000001', $$delete from storage.objects where name like 'aaaaaaaa%'$$, '0', 'B cannot delete A objects'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$delete from storage.objects where name = 'aaaaaaaa-0000-4000-8000-000000000001/p/a2.jpg'$$, '1', 'A deletes own image'),
  ('aaaaaaaa-0000-4000-8000-000000000001', $$delete from storage.objects where bucket_id = 'clips'$$, '2', 'A deletes own clips (generated and uploaded)')
) as m(who, q, expected, descr);

select is(tests.ledger_violations(), 0::bigint, 'ledger invariant holds');
select * from finish();
rollback;
