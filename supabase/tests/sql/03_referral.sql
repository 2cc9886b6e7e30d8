-- redeem_referral: not your own, once per user, no referral loops, both sides get the bonus.
begin;
select plan(13);
select tests.create_user('r1@test.invalid', 'eeeeeeee-0000-4000-8000-000000000001');
select tests.create_user('r2@test.invalid', 'eeeeeeee-0000-4000-8000-000000000002');
select tests.create_user('r3@test.invalid', 'eeeeeeee-0000-4000-8000-000000000003');
select set_config('tests.code1', (select referral_code from public.user_profiles where id = 'eeeeeeee-0000-4000-8000-000000000001'), true);
select set_config('tests.code2', (select referral_code from public.user_profiles where id = 'eeeeeeee-0000-4000-8000-000000000002'), true);
select set_config('tests.code3', (select referral_code from public.user_profiles where id = 'eeeeeeee-0000-4000-8000-000000000003'), true);

select tests.login('eeeeeeee-0000-4000-8000-000000000002');
select throws_ok(format('select public.redeem_referral(%L)', current_setting('tests.code2')), 'PT409',
                 'you cannot redeem your own referral code', 'own code refused');
select throws_ok($$select public.redeem_referral('NOPE2345')$$, 'PT404', 'referral code not found', 'unknown code refused');
select is((public.redeem_referral(lower(' ' || current_setting('tests.code1') || ' ')) ->> 'credit_balance')::int, 3,
          'redeem (case/space-insensitive): 1 + 2 bonus');
select throws_ok(format('select public.redeem_referral(%L)', current_setting('tests.code3')), 'PT409',
                 'a referral code has already been redeemed for this account', 'only once per user');
select tests.logout();

select tests.login('eeeeeeee-0000-4000-8000-000000000001');
select throws_ok(format('select public.redeem_referral(%L)', current_setting('tests.code2')), 'PT409',
                 'you cannot redeem the code of someone you referred', 'no referral loops');
select lives_ok(format('select public.redeem_referral(%L)', current_setting('tests.code3')), 'referrer may redeem a third code');
select tests.logout();

select tests.login_anon();
select throws_ok(format('select public.redeem_referral(%L)', current_setting('tests.code1')), '42501', null, 'anon cannot redeem');
select tests.logout();

select is((select credit_balance from public.user_profiles where id = 'eeeeeeee-0000-4000-8000-000000000001'), 5,
          'referrer got a bonus (1 + 2) and redeemed one (+2)');
select is((select credit_balance from public.user_profiles where id = 'eeeeeeee-0000-4000-8000-000000000003'), 3, 'third user got the referrer bonus');
select is((select referred_by from public.user_profiles where id = 'eeeeeeee-0000-4000-8000-000000000002'),
          'eeeeeeee-0000-4000-8000-000000000001'::uuid, 'referred_by recorded');
select is((select count(*)::int from public.credit_transactions where type = 'referral_bonus'), 4, 'four referral ledger rows');
select is(tests.ledger_violations(), 0::bigint, 'ledger invariant holds after referrals');
select throws_ok($$update public.user_profiles set referred_by = id where id = 'eeeeeeee-0000-4000-8000-000000000003'$$,
                 '23514', null, 'self-referral is impossible even for the owner role');
select * from finish();
rollback;
