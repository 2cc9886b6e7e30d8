-- Local development seed (supabase db reset). Buckets come from the storage migration.
-- Creates one demo user; the signup trigger gives it a profile, 1 free credit and a referral code.
insert into auth.users (id, email, aud, role, raw_app_meta_data, raw_user_meta_data)
values ('00000000-0000-4000-8000-000000000001', 'demo@echoes.invalid', 'authenticated', 'authenticated',
        '{"provider":"email","providers":["email"]}', '{"name":"Demo"}')
on conflict (id) do nothing;

insert into public.projects (id, user_id, title)
values ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'Summer 2024')
on conflict (id) do nothing;
