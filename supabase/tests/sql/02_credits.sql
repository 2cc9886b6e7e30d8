-- Credit functions: reserve / commit / release, purchases, the ledger invariant.
begin;
select plan(44);

select tests.create_user('c@test.invalid', 'cccccccc-0000-4000-8000-000000000001');
select tests.create_user('d@test.invalid', 'dddddddd-0000-4000-8000-000000000001');
insert into public.projects (id, user_id) values
  ('cccccccc-0000-4000-8000-0000000000a1', 'cccccccc-0000-4000-8000-000000000001'),
  ('dddddddd-0000-4000-8000-0000000000a1', 'dddddddd-0000-4000-8000-000000000001');
insert into public.clips (id, project_id, image_url) values
  ('cccccccc-0000-4000-8000-0000000000c1', 'cccccccc-0000-4000-8000-0000000000a1', '1.jpg'),
  ('cccccccc-0000-4000-8000-0000000000c2', 'cccccccc-0000-4000-8000-0000000000a1', '2.jpg'),
  ('cccccccc-0000-4000-8000-0000000000c3', 'cccccccc-0000-4000-8000-0000000000a1', '3.jpg'),
  ('dddddddd-0000-4000-8000-0000000000c1', 'dddddddd-0000-4000-8000-0000000000a1', '1.jpg');

-- reserve as the owner ------------------------------------------------------------
select tests.login('cccccccc-0000-4000-8000-000000000001');
select is((public.reserve_generation_credit('cccccccc-0000-4000-8000-0000000000c1') ->> 'credit_balance')::int, 0,
          'reserve takes the only credit');
select is((select status from public.clips where id = 'cccccccc-0000-4000-8000-0000000000c1'), 'generating', 'clip is generating');
select ok((select generation_deadline between now() + interval '14 minutes' and now() + interval '16 minutes'
             from public.clips where id = 'cccccccc-0000-4000-8000-0000000000c1'), 'deadline is 15 minutes out');
select is((public.reserve_generation_credit('cccccccc-0000-4000-8000-0000000000c1') ->> 'already_reserved')::boolean, true,
          'repeated reserve for the same clip is idempotent');
select is((select credit_balance from public.user_profiles), 0, 'idempotent reserve charged once');
select throws_ok($$select public.reserve_generation_credit('cccccccc-0000-4000-8000-0000000000c2')$$,
                 'PT402', 'insufficient credits', 'reserve at 0 credits fails cleanly');
select throws_ok($$select public.reserve_generation_credit('dddddddd-0000-4000-8000-0000000000c1')$$,
                 'PT404', 'clip not found', 'cannot reserve on another user''s clip');
select throws_ok($$select public.commit_generation_credit('cccccccc-0000-4000-8000-0000000000c1', 'x.mp4')$$,
                 '42501', null, 'users cannot commit');
select throws_ok($$select public.release_generation_credit('cccccccc-0000-4000-8000-0000000000c1', 'free credit please')$$,
                 '42501', null, 'users cannot release');
select throws_ok($$select public.grant_purchase('cs_free', 'cccccccc-0000-4000-8000-000000000001', 1000, 1)$$,
                 '42501', null, 'users cannot grant purchases');
select throws_ok($$select public.record_generation_task('cccccccc-0000-4000-8000-0000000000c1', 'runway', 't')$$,
                 '42501', null, 'users cannot record tasks');
select throws_ok($$select public.set_payment_status('cs_x', 'expired')$$, '42501', null, 'users cannot set payment status');
select tests.logout();

select tests.login_anon();
select throws_ok($$select public.reserve_generation_credit('cccccccc-0000-4000-8000-0000000000c1')$$,
                 '42501', null, 'anon cannot reserve');
select tests.logout();

-- commit (service_role) ---------------------------------------------------------------
select tests.login_service();
select ok(public.record_generation_task('cccccccc-0000-4000-8000-0000000000c1', 'runway', 'task-1'), 'task id recorded');
select ok(not public.record_generation_task('cccccccc-0000-4000-8000-0000000000c1', 'runway', 'task-2'), 'task id recorded only once');
select is(public.commit_generation_credit('cccccccc-0000-4000-8000-0000000000c1', 'u/p/c1.mp4') ->> 'committed', 'true', 'commit succeeds');
select is(public.commit_generation_credit('cccccccc-0000-4000-8000-0000000000c1', 'u/p/c1.mp4') ->> 'committed', 'false', 'second commit is a no-op');
select is(public.release_generation_credit('cccccccc-0000-4000-8000-0000000000c1', 'late failure') ->> 'released', 'false',
          'release after commit is a no-op (settles exactly once)');
select tests.logout();
select is((select status || ':' || video_url from public.clips where id = 'cccccccc-0000-4000-8000-0000000000c1'), 'ready:u/p/c1.mp4', 'clip ready with video');
select is((select credit_balance from public.user_profiles where id = 'cccccccc-0000-4000-8000-000000000001'), 0, 'committed credit stays spent');
select is((select state from public.generation_reservations where clip_id = 'cccccccc-0000-4000-8000-0000000000c1'), 'committed', 'reservation committed');

-- purchases ------------------------------------------------------------------------------
select tests.login_service();
select ok(public.record_checkout_session('cccccccc-0000-4000-8000-000000000001', 'cs_test_1', 'pack_10', 499, 10), 'pending payment recorded');
select ok(not public.record_checkout_session('cccccccc-0000-4000-8000-000000000001', 'cs_test_1', 'pack_10', 499, 10), 'recording twice is a no-op');
select is(public.grant_purchase('cs_test_1') ->> 'granted', 'true', 'first grant credits the session');
select is(public.grant_purchase('cs_test_1') ->> 'granted', 'false', 'second grant is a no-op');
select is(public.grant_purchase('cs_test_1', 'cccccccc-0000-4000-8000-000000000001', 10, 499) ->> 'granted', 'false', 'third grant (with args) is a no-op');
select throws_ok($$select public.grant_purchase('cs_test_1', 'dddddddd-0000-4000-8000-000000000001', 10, 499)$$,
                 'PT409', null, 'a session cannot be granted to another user');
select throws_ok($$select public.grant_purchase('cs_unknown')$$, 'PT404', 'unknown checkout session', 'unknown session without details fails');
select ok(not public.set_payment_status('cs_test_1', 'expired'), 'a paid session is never downgraded');
select is(public.grant_purchase('cs_test_2', 'dddddddd-0000-4000-8000-000000000001', 50, 1999, 'pack_50') ->> 'granted', 'true',
          'grant for a session the db has not seen yet (webhook first)');
select ok(public.record_checkout_session('dddddddd-0000-4000-8000-000000000001', 'cs_test_3', 'pack_10', 499, 10), 'pending payment 3');
select ok(public.set_payment_status('cs_test_3', 'expired'), 'pending -> expired');
select throws_ok($$select public.set_payment_status('cs_test_3', 'paid')$$, '22023', null, 'set_payment_status cannot mark paid');
select tests.logout();
select is((select credit_balance from public.user_profiles where id = 'cccccccc-0000-4000-8000-000000000001'), 10, 'purchase credited exactly once');
select is((select count(*)::int from public.credit_transactions where type = 'purchase' and reference_id = 'cs_test_1'), 1, 'one purchase ledger row');
select is((select status from public.payments where stripe_session_id = 'cs_test_1'), 'paid', 'payment paid');

-- release on failure and on delete ----------------------------------------------------------
select tests.login('cccccccc-0000-4000-8000-000000000001');
select is((public.reserve_generation_credit('cccccccc-0000-4000-8000-0000000000c2') ->> 'credit_balance')::int, 9, 'reserve c2');
select tests.logout();
select tests.login_service();
select is(public.release_generation_credit('cccccccc-0000-4000-8000-0000000000c2', 'SAFETY.INPUT.IMAGE: moderated') ->> 'credit_balance', '10',
          'moderation failure releases the credit');
select is(public.release_generation_credit('cccccccc-0000-4000-8000-0000000000c2', 'again') ->> 'released', 'false', 'second release is a no-op');
select tests.logout();
select is((select status || ':' || error from public.clips where id = 'cccccccc-0000-4000-8000-0000000000c2'), 'failed:SAFETY.INPUT.IMAGE: moderated', 'failed with reason');
select tests.login('cccccccc-0000-4000-8000-000000000001');
select is((public.reserve_generation_credit('cccccccc-0000-4000-8000-0000000000c3') ->> 'credit_balance')::int, 9, 'reserve c3');
delete from public.clips where id = 'cccccccc-0000-4000-8000-0000000000c3';
select is((select credit_balance from public.user_profiles), 10, 'deleting a generating clip releases its credit');
select tests.logout();

-- ledger invariant: holds now, and corruption is caught at commit -------------------------
select is(tests.ledger_violations(), 0::bigint, 'balance = sum(ledger) for every user');
update public.user_profiles set credit_balance = 99 where id = 'dddddddd-0000-4000-8000-000000000001';
select throws_ok($$set constraints all immediate$$, '23514', null, 'the deferred invariant trigger rejects a balance without ledger rows');
select * from finish();
rollback;
