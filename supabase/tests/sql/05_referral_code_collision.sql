-- The signup trigger retries on a referral-code collision and gives up after 25 attempts.
begin;
select plan(4);
create sequence tests.refseq;
create or replace function private.generate_referral_code() returns text language sql volatile as $$
  select case when nextval('tests.refseq') <= 2 then 'AAAAAAAA' else 'BBBBBBBB' end
$$;
select lives_ok($$select tests.create_user('k1@test.invalid', '99999999-0000-4000-8000-000000000001')$$, 'first user gets AAAAAAAA');
select lives_ok($$select tests.create_user('k2@test.invalid', '99999999-0000-4000-8000-000000000002')$$, 'second user collides, then retries');
select is((select array_agg(referral_code order by id) from public.user_profiles where id::text like '99999999%'),
          array['AAAAAAAA', 'BBBBBBBB'], 'collision resolved by a fresh code');
create or replace function private.generate_referral_code() returns text language sql volatile as $$ select 'AAAAAAAA' $$;
select throws_ok($$select tests.create_user('k3@test.invalid')$$, '23505', null, 'endless collisions fail loudly instead of looping');
select * from finish();
rollback;
