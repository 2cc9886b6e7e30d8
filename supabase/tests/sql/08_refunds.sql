-- Refunded purchases: credits taken back once per Stripe event, partial refunds pro rata,
-- never below zero, every debit in the ledger.
begin;
select plan(17);

select tests.create_user('rf@test.invalid', '7eeeeeee-0000-4000-8000-000000000001');
select tests.login_service();
select public.record_checkout_session('7eeeeeee-0000-4000-8000-000000000001', 'cs_refund_1', 'pack_10', 1000, 10);
select public.grant_purchase('cs_refund_1');
select public.record_checkout_session('7eeeeeee-0000-4000-8000-000000000001', 'cs_refund_2', 'pack_10', 1000, 10);
select public.grant_purchase('cs_refund_2');
select is(public.record_payment_intent('cs_refund_1', 'pi_1'), true, 'payment intent recorded');
select is(public.record_payment_intent('cs_refund_1', 'pi_other'), false, 'and never overwritten');
select public.record_payment_intent('cs_refund_2', 'pi_2');
select tests.logout();
select is((select credit_balance from public.user_profiles where id = '7eeeeeee-0000-4000-8000-000000000001'), 21, '1 + 10 + 10');

select is(tests.run_as('7eeeeeee-0000-4000-8000-000000000001', $$select public.revoke_refunded_purchase('evt_x', 'pi_1', 1000, 1000)$$),
          'denied', 'users cannot call it');
select is(tests.run_as('7eeeeeee-0000-4000-8000-000000000001', $$select * from public.stripe_events$$), 'denied', 'users cannot read events');

select tests.login_service();
select is(public.revoke_refunded_purchase('evt_unknown', 'pi_unknown', 1000, 1000), '{"matched": false, "applied": false}'::jsonb,
          'a charge that is not a credit purchase changes nothing');
-- partial refund: 30 % of 10 credits
select is(public.revoke_refunded_purchase('evt_1', 'pi_1', 1000, 300) ->> 'credits_taken_back', '3', 'partial refund takes 3 credits');
select is(public.revoke_refunded_purchase('evt_1', 'pi_1', 1000, 300) ->> 'duplicate_event', 'true', 'the same event again is a no-op');
-- then the rest (Stripe reports the cumulative refunded amount)
select is(public.revoke_refunded_purchase('evt_2', 'pi_1', 1000, 1000) ->> 'credits_taken_back', '7', 'full refund takes the other 7');
select is(public.revoke_refunded_purchase('evt_3', 'pi_1', 1000, 1000) ->> 'credits_taken_back', '0', 'a later event for the same refund takes nothing');
select tests.logout();
select is((select credit_balance from public.user_profiles where id = '7eeeeeee-0000-4000-8000-000000000001'), 11, '21 - 10');

-- the credits of the second purchase were spent: never below zero
update public.user_profiles set credit_balance = 0 where id = '7eeeeeee-0000-4000-8000-000000000001';
insert into public.credit_transactions (user_id, amount, type, reference_id) values ('7eeeeeee-0000-4000-8000-000000000001', -11, 'adjustment', 'spent');
select tests.login_service();
select is(public.revoke_refunded_purchase('evt_4', 'pi_2', 1000, 1000) - 'user_id',
          '{"matched": true, "applied": true, "credit_balance": 0, "credits_revoked": 10, "credits_taken_back": 0, "credits_not_recovered": 10}'::jsonb,
          'nothing to take at 0 credits, the shortfall is reported');
select tests.logout();
select is((select credit_balance from public.user_profiles where id = '7eeeeeee-0000-4000-8000-000000000001'), 0, 'balance stays at 0');
select is((select credits_revoked || '/' || credits_taken_back || '/' || refunded_cents from public.payments where stripe_session_id = 'cs_refund_2'),
          '10/0/1000', 'payment records the refund and the shortfall');
select is((select string_agg(amount::text, ',' order by created_at, amount) from public.credit_transactions
            where user_id = '7eeeeeee-0000-4000-8000-000000000001' and type = 'purchase_refund'), '-7,-3', 'ledger rows for the refunds');
select is(tests.ledger_violations(), 0::bigint, 'ledger invariant holds');
select throws_ok($$insert into public.credit_transactions (user_id, amount, type) values ('7eeeeeee-0000-4000-8000-000000000001', 5, 'purchase_refund')$$,
                 '23514', null, 'a refund row is always negative');
select * from finish();
rollback;
