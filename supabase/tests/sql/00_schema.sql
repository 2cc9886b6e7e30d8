begin;
select plan(63);

select has_table('public', t, t || ' exists') from unnest(array['user_profiles','projects','clips',
  'credit_transactions','payments','generation_reservations']) t;

-- RLS enabled on every public table
select is((select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity), 0,
          'every public table has row level security enabled');

select col_is_pk('public', 'user_profiles', 'id', 'user_profiles.id is the pk');
select col_default_is('public', 'user_profiles', 'credit_balance', '1', 'credit_balance defaults to 1');
select col_not_null('public', 'user_profiles', 'referral_code', 'referral_code not null');
select col_is_unique('public', 'user_profiles', 'referral_code', 'referral_code unique');
select fk_ok('public', 'user_profiles', 'referred_by', 'auth', 'users', 'id');
select fk_ok('public', 'projects', 'user_id', 'auth', 'users', 'id');
select col_type_is('public', 'projects', 'id', 'uuid', 'projects.id uuid');
select col_default_is('public', 'projects', 'status', 'in_progress', 'project status default');
select has_column('public', 'projects', c, 'projects.' || c) from unnest(array['title','music_url','created_at','updated_at']) c;
select fk_ok('public', 'clips', 'project_id', 'public', 'projects', 'id');
select has_column('public', 'clips', c, 'clips.' || c) from unnest(array['image_url','video_url','status','approved',
  'order','provider','provider_task_id','prompt','error','generation_deadline','generation_started_at','completed_at']) c;
select col_is_unique('public', 'payments', 'stripe_session_id', 'stripe_session_id unique');
select col_type_is('public', 'credit_transactions', 'reference_id', 'text', 'reference_id is text');

-- the unique order constraint is deferrable initially deferred
select ok((select condeferrable and condeferred from pg_constraint where conname = 'clips_project_order_key'),
          'clips (project_id, order) unique is DEFERRABLE INITIALLY DEFERRED');

-- cascades where data belongs to the parent
select is((select confdeltype::text from pg_constraint where conrelid = 'public.clips'::regclass and contype = 'f'
            and confrelid = 'public.projects'::regclass), 'c', 'clips cascade on project delete');
select is((select confdeltype::text from pg_constraint where conrelid = 'public.projects'::regclass and contype = 'f'), 'c',
          'projects cascade on user delete');

-- indexes for the client's queries
select has_index('public', 'projects', 'projects_user_id_created_at_idx', 'projects by user index');
select ok(exists(select 1 from pg_index i join pg_class c on c.oid = i.indexrelid
                  where i.indrelid = 'public.clips'::regclass and c.relname = 'clips_project_order_key'),
          'clips by project+order index');

-- updated_at triggers
select has_trigger('public', t, t || '_updated_at', t || ' has updated_at trigger')
  from unnest(array['user_profiles','projects','clips','payments']) t;
select has_trigger('auth', 'users', 'on_auth_user_created', 'signup trigger on auth.users');

-- check constraints reject bad values
select tests.create_user('schema@test.invalid', '00000000-0000-4000-8000-00000000aaaa');
insert into public.projects (id, user_id, title) values ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-00000000aaaa', 'p');
select throws_ok($$update public.projects set status = 'archived' where id = '00000000-0000-4000-8000-0000000000b1'$$,
                 '23514', null, 'project status check');
select lives_ok($$update public.projects set status = 'completed' where id = '00000000-0000-4000-8000-0000000000b1'$$,
                'project status completed accepted');
insert into public.clips (id, project_id, image_url) values ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000b1', 'x.jpg');
select throws_ok($$update public.clips set status = 'done' where id = '00000000-0000-4000-8000-0000000000c1'$$,
                 '23514', null, 'clip status check');
select throws_ok($$update public.clips set status = 'ready' where id = '00000000-0000-4000-8000-0000000000c1'$$,
                 '23514', null, 'a ready clip needs a video');
select throws_ok($$update public.clips set approved = true where id = '00000000-0000-4000-8000-0000000000c1'$$,
                 '23514', null, 'only ready clips can be approved');
select throws_ok($$insert into public.credit_transactions (user_id, amount, type) values ('00000000-0000-4000-8000-00000000aaaa', 5, 'gift')$$,
                 '23514', null, 'ledger type check');
select throws_ok($$insert into public.payments (user_id, stripe_session_id, amount_cents, credits_purchased, status)
                   values ('00000000-0000-4000-8000-00000000aaaa', 'cs_x', 100, 1, 'refunded')$$, '23514', null, 'payment status check');
select throws_ok($$insert into public.generation_reservations (user_id, state) values ('00000000-0000-4000-8000-00000000aaaa', 'open')$$,
                 '23514', null, 'reservation state check');

-- signup trigger: profile, 1 credit, ledger row, code format
select is((select credit_balance from public.user_profiles where id = '00000000-0000-4000-8000-00000000aaaa'), 1, 'new user has 1 credit');
select is((select count(*)::int from public.credit_transactions where user_id = '00000000-0000-4000-8000-00000000aaaa' and type = 'signup_bonus' and amount = 1),
          1, 'signup_bonus ledger row');
select matches((select referral_code from public.user_profiles where id = '00000000-0000-4000-8000-00000000aaaa'),
               '^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$', 'referral code: 8 unambiguous chars');
select is((select count(distinct private.generate_referral_code())::int from generate_series(1, 200)), 200,
          'referral codes are random');

-- credit functions are security definer with a fixed empty search_path
select ok(p.prosecdef, p.proname || ' is security definer') from pg_proc p
  where p.pronamespace = 'public'::regnamespace
    and p.proname in ('reserve_generation_credit','commit_generation_credit','release_generation_credit','grant_purchase','redeem_referral','move_clip')
  order by p.proname;
select is((select count(*)::int from pg_proc p where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
            and p.prosecdef and not coalesce(p.proconfig @> array['search_path=""'], false)), 0,
          'every security definer function pins search_path to empty');
select * from finish();
rollback;
