-- Credit ledger machinery, signup trigger, clip ordering and the public RPCs.
-- Every function that moves credits is SECURITY DEFINER with an empty search_path,
-- writes one ledger row per balance change, and the deferred constraint triggers below
-- verify credit_balance = sum(credit_transactions.amount) at commit.

-- constants ------------------------------------------------------------------
create or replace function private.signup_bonus() returns integer language sql immutable as $$ select 1 $$;
create or replace function private.referral_bonus() returns integer language sql immutable as $$ select 2 $$;
create or replace function private.generation_timeout() returns interval language sql immutable as $$ select interval '15 minutes' $$;

-- ledger core ----------------------------------------------------------------
create or replace function private.apply_credit(p_user uuid, p_amount integer, p_type text, p_reference text)
returns integer language plpgsql security definer set search_path = '' as $$
declare v_balance integer;
begin
  update public.user_profiles set credit_balance = credit_balance + p_amount
   where id = p_user returning credit_balance into v_balance;
  if not found then
    raise exception using errcode = 'PT404', message = 'user profile not found';
  end if;
  insert into public.credit_transactions (user_id, amount, type, reference_id)
  values (p_user, p_amount, p_type, p_reference);
  return v_balance;
end $$;

create or replace function private.check_ledger_invariant() returns trigger
language plpgsql security definer set search_path = '' as $$
declare v_user uuid; v_balance integer; v_sum bigint;
begin
  if tg_table_name = 'credit_transactions' then
    v_user := new.user_id;
  else
    v_user := new.id;
  end if;
  select credit_balance into v_balance from public.user_profiles where id = v_user;
  if not found then
    return null;   -- user being deleted
  end if;
  select coalesce(sum(amount), 0) into v_sum from public.credit_transactions where user_id = v_user;
  if v_balance <> v_sum then
    raise exception using errcode = '23514',
      message = format('credit ledger invariant violated for user %s: balance %s, ledger sum %s', v_user, v_balance, v_sum);
  end if;
  return null;
end $$;

create constraint trigger credit_transactions_ledger_invariant
  after insert or update on public.credit_transactions deferrable initially deferred
  for each row execute function private.check_ledger_invariant();
create constraint trigger user_profiles_ledger_invariant
  after insert or update on public.user_profiles deferrable initially deferred
  for each row execute function private.check_ledger_invariant();

-- signup: profile + free credit + referral code ----------------------------------
create or replace function private.generate_referral_code() returns text
language plpgsql volatile set search_path = '' as $$
declare
  v_alphabet constant text := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';  -- 32 chars, no 0/O/1/I
  v_bytes bytea := uuid_send(gen_random_uuid());
  v_code text := '';
  v_positions constant integer[] := array[0, 1, 2, 3, 4, 5, 10, 11];  -- fully random bytes of a v4 uuid
  i integer;
begin
  foreach i in array v_positions loop
    v_code := v_code || substr(v_alphabet, 1 + (get_byte(v_bytes, i) % 32), 1);
  end loop;
  return v_code;
end $$;

create or replace function private.handle_new_user() returns trigger
language plpgsql security definer set search_path = '' as $$
declare v_attempt integer := 0;
begin
  loop
    begin
      insert into public.user_profiles (id, credit_balance, referral_code)
      values (new.id, private.signup_bonus(), private.generate_referral_code());
      exit;
    exception when unique_violation then
      v_attempt := v_attempt + 1;
      if v_attempt >= 25 then
        raise;
      end if;
    end;
  end loop;
  insert into public.credit_transactions (user_id, amount, type, reference_id)
  values (new.id, private.signup_bonus(), 'signup_bonus', new.id::text);
  return new;
end $$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();

-- reservation settlement (exactly once) --------------------------------------------
create or replace function private.settle_reservation(p_clip_id uuid, p_state text, p_reason text)
returns boolean language plpgsql security definer set search_path = '' as $$
declare v_res record;
begin
  if p_state not in ('committed', 'released') then
    raise exception 'invalid settlement state %', p_state;
  end if;
  update public.generation_reservations
     set state = p_state, settle_reason = p_reason, settled_at = now()
   where clip_id = p_clip_id and state = 'reserved'
  returning id, user_id, amount into v_res;
  if not found then
    return false;
  end if;
  if p_state = 'released' then
    perform private.apply_credit(v_res.user_id, v_res.amount, 'generation_release', v_res.id::text);
  end if;
  return true;
end $$;

-- clip ordering ----------------------------------------------------------------
create or replace function private.clips_before_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare v_count integer;
begin
  perform 1 from public.projects where id = new.project_id for update;  -- serialise per project
  select count(*) into v_count from public.clips where project_id = new.project_id;
  if new."order" is null then
    new."order" := v_count;
  elsif new."order" < 0 or new."order" > v_count then
    raise exception using errcode = '22023',
      message = format('clip order must be between 0 and %s', v_count);
  elsif new."order" < v_count then
    update public.clips set "order" = "order" + 1
     where project_id = new.project_id and "order" >= new."order";
  end if;
  return new;
end $$;

create or replace function private.clips_before_delete() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  -- deleting a clip cancels its generation: an open reservation is released
  if exists (select 1 from public.generation_reservations r
              join public.user_profiles p on p.id = r.user_id
             where r.clip_id = old.id and r.state = 'reserved') then
    perform private.settle_reservation(old.id, 'released', 'clip deleted');
  end if;
  return old;
end $$;

create or replace function private.clips_after_delete() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.clips c set "order" = r.rn - 1
    from (select id, row_number() over (partition by project_id order by "order") as rn
            from public.clips
           where project_id in (select distinct project_id from old_rows)) r
   where c.id = r.id and c."order" <> r.rn - 1;
  return null;
end $$;

create trigger clips_before_insert before insert on public.clips
  for each row execute function private.clips_before_insert();
create trigger clips_before_delete before delete on public.clips
  for each row execute function private.clips_before_delete();
create trigger clips_after_delete after delete on public.clips
  referencing old table as old_rows for each statement execute function private.clips_after_delete();

-- public RPCs ----------------------------------------------------------------------

-- Reserve one credit for generating a clip. Callable by the clip's owner or service_role.
-- Idempotent: an open reservation for the clip is returned instead of charging twice.
create or replace function public.reserve_generation_credit(p_clip_id uuid)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := auth.uid();
  v_service boolean := coalesce(auth.role() = 'service_role', false);
  v_clip record;
  v_res_id uuid;
  v_balance integer;
begin
  if v_uid is null and not v_service then
    raise exception using errcode = '42501', message = 'not authenticated';
  end if;
  select c.id, c.status, c.approved, p.user_id into v_clip
    from public.clips c join public.projects p on p.id = c.project_id
   where c.id = p_clip_id
     for update of c;
  if not found or (not v_service and v_clip.user_id <> v_uid) then
    raise exception using errcode = 'PT404', message = 'clip not found';
  end if;

  select id into v_res_id from public.generation_reservations
   where clip_id = p_clip_id and state = 'reserved';
  if found then
    select credit_balance into v_balance from public.user_profiles where id = v_clip.user_id;
    return jsonb_build_object('reservation_id', v_res_id, 'already_reserved', true, 'credit_balance', v_balance);
  end if;
  if v_clip.approved then
    raise exception using errcode = 'PT409', message = 'approved clips cannot be regenerated';
  end if;

  select credit_balance into v_balance from public.user_profiles where id = v_clip.user_id for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'user profile not found';
  end if;
  if v_balance < 1 then
    raise exception using errcode = 'PT402', message = 'insufficient credits',
      hint = 'Buy a credit pack or redeem a referral code.';
  end if;

  insert into public.generation_reservations (user_id, clip_id, amount)
  values (v_clip.user_id, p_clip_id, 1) returning id into v_res_id;
  v_balance := private.apply_credit(v_clip.user_id, -1, 'generation_reserve', v_res_id::text);
  update public.clips
     set status = 'generating', error = null, provider = null, provider_task_id = null,
         generation_started_at = now(), generation_deadline = now() + private.generation_timeout(),
         completed_at = null
   where id = p_clip_id;
  return jsonb_build_object('reservation_id', v_res_id, 'already_reserved', false, 'credit_balance', v_balance);
end $$;

-- service_role: remember the provider's task id (only once per reservation)
create or replace function public.record_generation_task(p_clip_id uuid, p_provider text, p_task_id text)
returns boolean language plpgsql security definer set search_path = '' as $$
begin
  update public.clips set provider = p_provider, provider_task_id = p_task_id
   where id = p_clip_id and status = 'generating' and provider_task_id is null;
  return found;
end $$;

-- service_role: generation succeeded -> commit the reservation and mark the clip ready
create or replace function public.commit_generation_credit(p_clip_id uuid, p_video_url text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare v_status text; v_done boolean;
begin
  select status into v_status from public.clips where id = p_clip_id for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'clip not found';
  end if;
  if v_status <> 'generating' then
    return jsonb_build_object('committed', false, 'status', v_status);
  end if;
  v_done := private.settle_reservation(p_clip_id, 'committed', 'generation succeeded');
  if not v_done then
    return jsonb_build_object('committed', false, 'status', v_status);
  end if;
  update public.clips set status = 'ready', video_url = p_video_url, error = null,
         completed_at = now(), generation_deadline = null
   where id = p_clip_id;
  return jsonb_build_object('committed', true, 'status', 'ready');
end $$;

-- service_role: generation failed / moderated / cancelled / timed out -> release the credit
create or replace function public.release_generation_credit(p_clip_id uuid, p_reason text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare v_status text; v_done boolean; v_balance integer;
begin
  select status into v_status from public.clips where id = p_clip_id for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'clip not found';
  end if;
  v_done := private.settle_reservation(p_clip_id, 'released', coalesce(p_reason, 'released'));
  if v_status = 'generating' then
    update public.clips set status = 'failed', error = coalesce(p_reason, 'generation failed'),
           completed_at = now(), generation_deadline = null
     where id = p_clip_id;
    v_status := 'failed';
  end if;
  select p.credit_balance into v_balance
    from public.clips c join public.projects pr on pr.id = c.project_id
    join public.user_profiles p on p.id = pr.user_id where c.id = p_clip_id;
  return jsonb_build_object('released', v_done, 'status', v_status, 'credit_balance', v_balance);
end $$;

-- service_role: remember a freshly created Stripe Checkout session
create or replace function public.record_checkout_session(p_user_id uuid, p_stripe_session_id text,
  p_pack_id text, p_amount_cents integer, p_credits integer)
returns boolean language plpgsql security definer set search_path = '' as $$
begin
  insert into public.payments (user_id, stripe_session_id, pack_id, amount_cents, credits_purchased)
  values (p_user_id, p_stripe_session_id, p_pack_id, p_amount_cents, p_credits)
  on conflict (stripe_session_id) do nothing;
  return found;
end $$;

-- service_role: credit a paid checkout session exactly once (idempotent per session)
create or replace function public.grant_purchase(p_stripe_session_id text, p_user_id uuid default null,
  p_credits integer default null, p_amount_cents integer default null, p_pack_id text default null)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare v_pay record; v_balance integer;
begin
  select * into v_pay from public.payments where stripe_session_id = p_stripe_session_id for update;
  if not found then
    if p_user_id is null or p_credits is null or p_amount_cents is null then
      raise exception using errcode = 'PT404', message = 'unknown checkout session';
    end if;
    insert into public.payments (user_id, stripe_session_id, pack_id, amount_cents, credits_purchased)
    values (p_user_id, p_stripe_session_id, p_pack_id, p_amount_cents, p_credits)
    on conflict (stripe_session_id) do nothing;
    select * into v_pay from public.payments where stripe_session_id = p_stripe_session_id for update;
  end if;
  if p_user_id is not null and p_user_id <> v_pay.user_id then
    raise exception using errcode = 'PT409', message = 'checkout session belongs to another user';
  end if;
  if v_pay.status = 'paid' then
    return jsonb_build_object('granted', false, 'already_paid', true, 'user_id', v_pay.user_id,
                              'credits', v_pay.credits_purchased);
  end if;
  update public.payments set status = 'paid' where id = v_pay.id;
  v_balance := private.apply_credit(v_pay.user_id, v_pay.credits_purchased, 'purchase', p_stripe_session_id);
  return jsonb_build_object('granted', true, 'already_paid', false, 'user_id', v_pay.user_id,
                            'credits', v_pay.credits_purchased, 'credit_balance', v_balance);
end $$;

-- service_role: pending -> failed / expired (never downgrades a paid session)
create or replace function public.set_payment_status(p_stripe_session_id text, p_status text)
returns boolean language plpgsql security definer set search_path = '' as $$
begin
  if p_status not in ('failed', 'expired') then
    raise exception using errcode = '22023', message = 'status must be failed or expired';
  end if;
  update public.payments set status = p_status
   where stripe_session_id = p_stripe_session_id and status = 'pending';
  return found;
end $$;

-- authenticated: redeem somebody else's referral code once; both sides get a bonus
create or replace function public.redeem_referral(p_code text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := auth.uid();
  v_referrer uuid;
  v_me record;
  v_balance integer;
begin
  if v_uid is null then
    raise exception using errcode = '42501', message = 'not authenticated';
  end if;
  select id into v_referrer from public.user_profiles where referral_code = upper(btrim(coalesce(p_code, '')));
  if not found then
    raise exception using errcode = 'PT404', message = 'referral code not found';
  end if;
  if v_referrer = v_uid then
    raise exception using errcode = 'PT409', message = 'you cannot redeem your own referral code';
  end if;
  perform 1 from public.user_profiles where id in (v_uid, v_referrer) order by id for update;
  select referred_by into v_me from public.user_profiles where id = v_uid;
  if not found then
    raise exception using errcode = 'PT404', message = 'user profile not found';
  end if;
  if v_me.referred_by is not null then
    raise exception using errcode = 'PT409', message = 'a referral code has already been redeemed for this account';
  end if;
  if exists (select 1 from public.user_profiles where id = v_referrer and referred_by = v_uid) then
    raise exception using errcode = 'PT409', message = 'you cannot redeem the code of someone you referred';
  end if;
  update public.user_profiles set referred_by = v_referrer where id = v_uid;
  v_balance := private.apply_credit(v_uid, private.referral_bonus(), 'referral_bonus', v_referrer::text);
  perform private.apply_credit(v_referrer, private.referral_bonus(), 'referral_bonus', v_uid::text);
  return jsonb_build_object('bonus', private.referral_bonus(), 'credit_balance', v_balance);
end $$;

-- authenticated: move a clip to position p_new_index (0-based); orders stay 0..n-1
create or replace function public.move_clip(p_clip_id uuid, p_new_index integer)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_uid uuid := auth.uid();
  v_service boolean := coalesce(auth.role() = 'service_role', false);
  v_project uuid; v_owner uuid; v_old integer; v_count integer;
begin
  select c.project_id, p.user_id into v_project, v_owner
    from public.clips c join public.projects p on p.id = c.project_id where c.id = p_clip_id;
  if not found or (not v_service and v_owner is distinct from v_uid) then
    raise exception using errcode = 'PT404', message = 'clip not found';
  end if;
  perform 1 from public.projects where id = v_project for update;
  select "order" into v_old from public.clips where id = p_clip_id;
  select count(*) into v_count from public.clips where project_id = v_project;
  if p_new_index is null or p_new_index < 0 or p_new_index >= v_count then
    raise exception using errcode = '22023',
      message = format('new_index must be between 0 and %s', v_count - 1);
  end if;
  if p_new_index < v_old then
    update public.clips set "order" = "order" + 1
     where project_id = v_project and "order" >= p_new_index and "order" < v_old;
  elsif p_new_index > v_old then
    update public.clips set "order" = "order" - 1
     where project_id = v_project and "order" > v_old and "order" <= p_new_index;
  end if;
  update public.clips set "order" = p_new_index where id = p_clip_id;
  return jsonb_build_object('clip_id', p_clip_id, 'order', p_new_index,
    'clips', (select jsonb_agg(jsonb_build_object('id', id, 'order', "order") order by "order")
                from public.clips where project_id = v_project));
end $$;
