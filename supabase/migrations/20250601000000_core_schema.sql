-- Echoes core schema: profiles, projects, clips, credit ledger, payments, reservations.
-- Applies unchanged to a Supabase project (auth.users / storage.* are provided by Supabase).

create schema if not exists private;
revoke all on schema private from public;
comment on schema private is 'Internal helpers; not exposed through PostgREST.';

-- updated_at maintenance -----------------------------------------------------
create or replace function private.set_updated_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end $$;

-- user_profiles --------------------------------------------------------------
create table public.user_profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  credit_balance integer not null default 1 constraint user_profiles_credit_balance_nonnegative check (credit_balance >= 0),
  referral_code text not null unique
    constraint user_profiles_referral_code_format check (referral_code ~ '^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$'),
  referred_by uuid references auth.users (id) on delete set null
    constraint user_profiles_not_self_referred check (referred_by is distinct from id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create trigger user_profiles_updated_at before update on public.user_profiles
  for each row execute function private.set_updated_at();

-- projects -------------------------------------------------------------------
create table public.projects (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  title text constraint projects_title_length check (char_length(title) <= 200),
  music_url text,
  status text not null default 'in_progress'
    constraint projects_status_check check (status in ('in_progress', 'completed')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index projects_user_id_created_at_idx on public.projects (user_id, created_at desc);
create trigger projects_updated_at before update on public.projects
  for each row execute function private.set_updated_at();

-- clips ----------------------------------------------------------------------
create table public.clips (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  image_url text not null,
  video_url text,
  status text not null default 'pending'
    constraint clips_status_check check (status in ('pending', 'generating', 'ready', 'failed')),
  approved boolean not null default false,
  "order" integer not null constraint clips_order_nonnegative check ("order" >= 0),
  provider text constraint clips_provider_check check (provider is null or provider ~ '^[a-z0-9_]{1,32}$'),
  provider_task_id text,
  prompt text constraint clips_prompt_length check (char_length(prompt) <= 1000),
  error text,
  generation_started_at timestamptz,
  generation_deadline timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint clips_project_order_key unique (project_id, "order") deferrable initially deferred,
  constraint clips_ready_has_video check (status <> 'ready' or video_url is not null)
);
-- the unique constraint's index serves "clips of project X ordered by order"
create unique index clips_provider_task_idx on public.clips (provider, provider_task_id)
  where provider_task_id is not null;
create index clips_generating_deadline_idx on public.clips (generation_deadline) where status = 'generating';
create trigger clips_updated_at before update on public.clips
  for each row execute function private.set_updated_at();

-- credit ledger (append-only; written only by private/security-definer functions) -------
create table public.credit_transactions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  amount integer not null constraint credit_transactions_amount_nonzero check (amount <> 0),
  type text not null constraint credit_transactions_type_check check (type in (
    'signup_bonus', 'purchase', 'referral_bonus', 'generation_reserve', 'generation_release', 'adjustment')),
  reference_id text,
  created_at timestamptz not null default now(),
  constraint credit_transactions_sign_check check (
    (type in ('signup_bonus', 'purchase', 'referral_bonus', 'generation_release') and amount > 0)
    or (type = 'generation_reserve' and amount < 0)
    or type = 'adjustment')
);
create index credit_transactions_user_idx on public.credit_transactions (user_id, created_at desc);

-- generation reservations: one row per reserved credit, settles exactly once ------------
create table public.generation_reservations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  clip_id uuid references public.clips (id) on delete set null,
  amount integer not null default 1 constraint generation_reservations_amount_positive check (amount > 0),
  state text not null default 'reserved'
    constraint generation_reservations_state_check check (state in ('reserved', 'committed', 'released')),
  settle_reason text,
  created_at timestamptz not null default now(),
  settled_at timestamptz,
  constraint generation_reservations_settled_check check ((state = 'reserved') = (settled_at is null))
);
-- at most one open reservation per clip
create unique index generation_reservations_open_clip_idx on public.generation_reservations (clip_id)
  where state = 'reserved';
create index generation_reservations_user_idx on public.generation_reservations (user_id, created_at desc);

-- payments -------------------------------------------------------------------
create table public.payments (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  stripe_session_id text not null unique,
  pack_id text,
  amount_cents integer not null constraint payments_amount_positive check (amount_cents > 0),
  credits_purchased integer not null constraint payments_credits_positive check (credits_purchased > 0),
  status text not null default 'pending'
    constraint payments_status_check check (status in ('pending', 'paid', 'failed', 'expired')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index payments_user_idx on public.payments (user_id, created_at desc);
create trigger payments_updated_at before update on public.payments
  for each row execute function private.set_updated_at();
