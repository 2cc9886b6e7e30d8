-- Stripe refunds take purchased credits back (charge.refunded), never below zero, once per event.
--  * payments remember the PaymentIntent of the paid Checkout Session (a Charge names only that),
--    how much was refunded and how many credits that covered / could actually be taken back.
--  * stripe_events: webhook events already applied (idempotency on Stripe's event id).
--  * ledger type purchase_refund (negative amounts).

alter table public.payments
  add column stripe_payment_intent_id text constraint payments_payment_intent_key unique,
  add column refunded_cents integer not null default 0 constraint payments_refunded_cents_check check (refunded_cents >= 0),
  add column credits_revoked integer not null default 0
    constraint payments_credits_revoked_check check (credits_revoked between 0 and credits_purchased),
  add column credits_taken_back integer not null default 0
    constraint payments_credits_taken_back_check check (credits_taken_back between 0 and credits_revoked),
  add column refunded_at timestamptz;
comment on column public.payments.credits_revoked is 'credits the refunds cover (credits_purchased * refunded / paid, rounded down)';
comment on column public.payments.credits_taken_back is 'credits actually debited; less than credits_revoked when they had been spent';

alter table public.credit_transactions drop constraint credit_transactions_type_check;
alter table public.credit_transactions add constraint credit_transactions_type_check check (type in (
  'signup_bonus', 'purchase', 'referral_bonus', 'generation_reserve', 'generation_release', 'adjustment', 'purchase_refund'));
alter table public.credit_transactions drop constraint credit_transactions_sign_check;
alter table public.credit_transactions add constraint credit_transactions_sign_check check (
  (type in ('signup_bonus', 'purchase', 'referral_bonus', 'generation_release') and amount > 0)
  or (type in ('generation_reserve', 'purchase_refund') and amount < 0)
  or type = 'adjustment');

create table public.stripe_events (
  id text primary key,
  type text not null,
  received_at timestamptz not null default now()
);
alter table public.stripe_events enable row level security;
revoke all on public.stripe_events from public, anon, authenticated, service_role;
grant select on public.stripe_events to service_role;

-- service_role: remember which PaymentIntent paid a Checkout Session (from checkout.session.* events)
create or replace function public.record_payment_intent(p_stripe_session_id text, p_payment_intent text)
returns boolean language plpgsql security definer set search_path = '' as $$
begin
  if coalesce(p_payment_intent, '') = '' then
    return false;
  end if;
  update public.payments set stripe_payment_intent_id = p_payment_intent
   where stripe_session_id = p_stripe_session_id and stripe_payment_intent_id is null;
  return found;
end $$;

-- service_role: a charge of p_payment_intent has p_amount_refunded (cumulative, as Stripe reports it) of
-- p_charge_amount refunded. Takes back the credits that covers and were not taken back yet, as far as the
-- balance allows; applied once per Stripe event id.
create or replace function public.revoke_refunded_purchase(p_event_id text, p_payment_intent text,
  p_charge_amount integer, p_amount_refunded integer)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_pay record;
  v_paid integer;
  v_target integer;
  v_delta integer;
  v_take integer := 0;
  v_balance integer;
begin
  if coalesce(p_event_id, '') = '' or coalesce(p_payment_intent, '') = '' or p_amount_refunded is null or p_amount_refunded < 0 then
    raise exception using errcode = '22023', message = 'event id, payment intent and a refunded amount are required';
  end if;
  select * into v_pay from public.payments where stripe_payment_intent_id = p_payment_intent for update;
  if not found then
    -- not one of our credit purchases (or its checkout event has not arrived yet): nothing recorded
    return jsonb_build_object('matched', false, 'applied', false);
  end if;
  insert into public.stripe_events (id, type) values (p_event_id, 'charge.refunded') on conflict (id) do nothing;
  if not found then
    return jsonb_build_object('matched', true, 'applied', false, 'duplicate_event', true);
  end if;
  if v_pay.status <> 'paid' then
    return jsonb_build_object('matched', true, 'applied', false, 'status', v_pay.status);
  end if;
  v_paid := coalesce(nullif(p_charge_amount, 0), v_pay.amount_cents);
  v_target := case when p_amount_refunded >= v_paid then v_pay.credits_purchased
                   else (v_pay.credits_purchased::bigint * p_amount_refunded / v_paid)::integer end;
  v_delta := v_target - v_pay.credits_revoked;
  select credit_balance into v_balance from public.user_profiles where id = v_pay.user_id for update;
  if v_delta > 0 then
    v_take := least(v_delta, greatest(v_balance, 0));
    if v_take > 0 then
      v_balance := private.apply_credit(v_pay.user_id, -v_take, 'purchase_refund', v_pay.stripe_session_id);
    end if;
  end if;
  update public.payments
     set refunded_cents = greatest(refunded_cents, p_amount_refunded),
         credits_revoked = greatest(credits_revoked, v_target),
         credits_taken_back = credits_taken_back + v_take,
         refunded_at = now()
   where id = v_pay.id;
  return jsonb_build_object('matched', true, 'applied', true, 'user_id', v_pay.user_id,
    'credits_revoked', greatest(v_delta, 0), 'credits_taken_back', v_take,
    'credits_not_recovered', greatest(v_delta, 0) - v_take, 'credit_balance', v_balance);
end $$;

revoke execute on function public.record_payment_intent(text, text), public.revoke_refunded_purchase(text, text, integer, integer)
  from public, anon, authenticated, service_role;
grant execute on function public.record_payment_intent(text, text), public.revoke_refunded_purchase(text, text, integer, integer)
  to service_role;
