-- Row level security, table/column privileges and function execute rights.
-- Supabase grants ALL on new public tables/functions to anon, authenticated and service_role
-- by default; everything below narrows that explicitly.

alter table public.user_profiles enable row level security;
alter table public.projects enable row level security;
alter table public.clips enable row level security;
alter table public.credit_transactions enable row level security;
alter table public.generation_reservations enable row level security;
alter table public.payments enable row level security;

revoke all on public.user_profiles, public.projects, public.clips, public.credit_transactions,
  public.generation_reservations, public.payments from public, anon, authenticated, service_role;

-- authenticated users: read own credit data, never write it (only RPCs move credits)
grant select on public.user_profiles, public.credit_transactions, public.generation_reservations,
  public.payments to authenticated;
-- projects: full CRUD on own rows; user_id is fixed by its default and the policy
grant select, delete on public.projects to authenticated;
grant insert (id, title, music_url, status) on public.projects to authenticated;
grant update (title, music_url, status) on public.projects to authenticated;
-- clips: generation fields (status, video_url, provider*, error, order) are server-owned
grant select, delete on public.clips to authenticated;
grant insert (id, project_id, image_url, prompt, "order") on public.clips to authenticated;
grant update (approved, prompt) on public.clips to authenticated;

-- service_role (Edge Functions): read everything, manage projects/clips; credit tables only via RPCs
grant select on public.user_profiles, public.credit_transactions, public.generation_reservations,
  public.payments to service_role;
grant select, insert, update, delete on public.projects, public.clips to service_role;

-- policies -----------------------------------------------------------------------
create policy "profiles: owner reads" on public.user_profiles
  for select to authenticated using (id = (select auth.uid()));

create policy "projects: owner reads" on public.projects
  for select to authenticated using (user_id = (select auth.uid()));
create policy "projects: owner inserts" on public.projects
  for insert to authenticated with check (user_id = (select auth.uid()));
create policy "projects: owner updates" on public.projects
  for update to authenticated using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "projects: owner deletes" on public.projects
  for delete to authenticated using (user_id = (select auth.uid()));

create policy "clips: project owner reads" on public.clips
  for select to authenticated using (exists (
    select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())));
create policy "clips: project owner inserts" on public.clips
  for insert to authenticated with check (exists (
    select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())));
create policy "clips: project owner updates" on public.clips
  for update to authenticated
  using (exists (select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())))
  with check (exists (select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())));
create policy "clips: project owner deletes" on public.clips
  for delete to authenticated using (exists (
    select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())));

create policy "ledger: owner reads" on public.credit_transactions
  for select to authenticated using (user_id = (select auth.uid()));
create policy "reservations: owner reads" on public.generation_reservations
  for select to authenticated using (user_id = (select auth.uid()));
create policy "payments: owner reads" on public.payments
  for select to authenticated using (user_id = (select auth.uid()));

-- approval only makes sense for a generated clip
alter table public.clips add constraint clips_approved_requires_ready check (not approved or status = 'ready');

-- functions: nothing is executable by default ---------------------------------------
revoke execute on all functions in schema public from public, anon, authenticated, service_role;
revoke execute on all functions in schema private from public, anon, authenticated, service_role;
revoke all on schema private from anon, authenticated, service_role;

grant execute on function public.reserve_generation_credit(uuid) to authenticated, service_role;
grant execute on function public.redeem_referral(text) to authenticated;
grant execute on function public.move_clip(uuid, integer) to authenticated, service_role;

grant execute on function public.record_generation_task(uuid, text, text) to service_role;
grant execute on function public.commit_generation_credit(uuid, text) to service_role;
grant execute on function public.release_generation_credit(uuid, text) to service_role;
grant execute on function public.record_checkout_session(uuid, text, text, integer, integer) to service_role;
grant execute on function public.grant_purchase(text, uuid, integer, integer, text) to service_role;
grant execute on function public.set_payment_status(text, text) to service_role;
