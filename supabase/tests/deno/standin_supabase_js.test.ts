// The stand-in against the real @supabase/supabase-js client and raw HTTP: the apikey gateway, GoTrue sessions
// (sign-out revokes, bad/expired JWTs, refresh rotation and reuse), PostgREST embeds, single objects and expired JWTs,
// and Storage (error shape, multipart and raw uploads, Range/ETag downloads and signed URLs, signed upload URLs).
import { createClient } from "npm:@supabase/supabase-js@2.119.1";
import { startStandin } from "../standin/standin.ts";
import { assert, assertEquals, DATABASE_URL, envTest } from "./_helpers.ts";

const noSession = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } };
const email = () => `js${crypto.randomUUID().slice(0, 8)}@test.invalid`;

envTest("standin gateway: the apikey is required everywhere but functions and signed URLs", async (env) => {
  const s = env.standin;
  const u = await env.signUp();
  for (const path of ["/rest/v1/projects", "/auth/v1/user", "/storage/v1/object/images/x/y.png", "/storage/v1/upload/resumable"]) {
    const r = await fetch(`${s.url}${path}`, { headers: { Authorization: `Bearer ${u.token}` } });
    assertEquals([r.status, await r.json()], [401, { message: "No API key found in request", hint: "No `apikey` request header or url param was found." }], path);
  }
  const wrong = await fetch(`${s.url}/rest/v1/projects`, { headers: { apikey: "not-a-key", Authorization: `Bearer ${u.token}` } });
  assertEquals([wrong.status, (await wrong.json()).message], [401, "Invalid API key"]);
  const userKey = await fetch(`${s.url}/rest/v1/projects`, { headers: { apikey: u.token } });
  assertEquals(userKey.status, 401, "a user's JWT is not an API key");
  await userKey.body?.cancel();
  const query = await fetch(`${s.url}/rest/v1/projects?apikey=${s.anonKey}`, { headers: { Authorization: `Bearer ${u.token}` } });
  assertEquals([query.status, await query.json()], [200, []], "apikey as a query parameter");
  const signup = await fetch(`${s.url}/auth/v1/signup`, { method: "POST", body: JSON.stringify({ email: email(), password: "test-password" }) });
  assertEquals(signup.status, 401, "even sign-up needs the key");
  await signup.body?.cancel();
});

envTest("standin auth with supabase-js: sign-out revokes the session, GoTrue errors for bad JWTs, refresh rotation", async (env) => {
  const s = env.standin;
  const sb = createClient(s.url, s.anonKey, noSession);
  const addr = email();
  const up = await sb.auth.signUp({ email: addr, password: "test-password" });
  assert(!up.error && up.data.session, `signUp: ${up.error?.message}`);
  const bad = await sb.auth.signInWithPassword({ email: addr, password: "wrong-password" });
  assertEquals([bad.error?.status, bad.error?.code], [400, "invalid_credentials"]);
  const { data: { session }, error } = await sb.auth.signInWithPassword({ email: addr, password: "test-password" });
  assert(!error && session, "signed in");
  const access = session.access_token, refresh = session.refresh_token;
  const me = await sb.auth.getUser(access);
  assertEquals(me.data.user?.email, addr);
  assertEquals((await sb.auth.resetPasswordForEmail(addr)).error, null, "password-reset request");
  assertEquals((await sb.auth.resetPasswordForEmail("nobody@test.invalid")).error, null, "no account enumeration");

  // refresh rotation: a new pair; the parent again within the reuse interval gives the same active child
  const r1 = await sb.auth.refreshSession({ refresh_token: refresh });
  assert(r1.data.session && r1.data.session.refresh_token !== refresh, "rotated");
  const again = await sb.auth.refreshSession({ refresh_token: refresh });
  assertEquals(again.data.session?.refresh_token, r1.data.session.refresh_token, "reuse interval returns the active child");
  const unknown = await sb.auth.refreshSession({ refresh_token: "nope-nope" });
  assertEquals([unknown.error?.status, unknown.error?.code], [400, "refresh_token_not_found"]);

  // bad and expired JWTs: GoTrue answers 403 bad_jwt (supabase-js asks for API version 2024-01-01)
  const garbage = await sb.auth.getUser("x.y.z");
  assertEquals([garbage.error?.status, garbage.error?.code], [403, "bad_jwt"]);
  const expired = await s.mintUserToken(String(me.data.user?.id), addr, -60);
  const old = await sb.auth.getUser(expired);
  assertEquals([old.error?.status, old.error?.code], [403, "bad_jwt"]);
  const raw = await fetch(`${s.url}/auth/v1/user`, { headers: { apikey: s.anonKey, Authorization: `Bearer ${expired}` } });
  const rawBody = await raw.json();
  assertEquals([raw.status, rawBody.code, rawBody.error_code], [403, 403, "bad_jwt"], "default error shape");
  const none = await fetch(`${s.url}/auth/v1/user`, { headers: { apikey: s.anonKey } });
  assertEquals([none.status, (await none.json()).error_code], [401, "no_authorization"]);
  const versioned = await fetch(`${s.url}/auth/v1/user`, { headers: { apikey: s.anonKey, Authorization: "Bearer x.y.z", "X-Supabase-Api-Version": "2024-01-01" } });
  assertEquals([versioned.headers.get("X-Supabase-Api-Version"), (await versioned.json()).code], ["2024-01-01", "bad_jwt"], "2024-01-01 error shape");

  // sign-out (scope global): the still-unexpired access token is refused, the refresh tokens are gone
  const other = await sb.auth.signInWithPassword({ email: addr, password: "test-password" });
  const current = r1.data.session.access_token;
  const signed = createClient(s.url, s.anonKey, noSession);
  await signed.auth.setSession({ access_token: current, refresh_token: r1.data.session.refresh_token });
  const out = await signed.auth.signOut();
  assertEquals(out.error, null);
  for (const tok of [current, other.data.session!.access_token]) {
    // supabase-js turns GoTrue's 403 session_not_found into AuthSessionMissingError
    const after = await sb.auth.getUser(tok);
    assertEquals(after.error?.name, "AuthSessionMissingError");
  }
  const rawAfter = await fetch(`${s.url}/auth/v1/user`, { headers: { apikey: s.anonKey, Authorization: `Bearer ${current}` } });
  assertEquals([rawAfter.status, await rawAfter.json()], [403, { code: 403, error_code: "session_not_found", msg: "Session from session_id claim in JWT does not exist" }]);
  const stillRest = await env.rest(current, "GET", "/rest/v1/projects");
  assertEquals(stillRest.status, 200, "PostgREST does not look at sessions: the token works until it expires");
  await stillRest.body?.cancel();
  const deadRefresh = await sb.auth.refreshSession({ refresh_token: r1.data.session.refresh_token });
  assertEquals([deadRefresh.error?.status, deadRefresh.error?.code], [400, "refresh_token_not_found"]);

  // scope=local ends only this session
  const a = (await sb.auth.signInWithPassword({ email: addr, password: "test-password" })).data.session!;
  const b = (await sb.auth.signInWithPassword({ email: addr, password: "test-password" })).data.session!;
  const local = await fetch(`${s.url}/auth/v1/logout?scope=local`, { method: "POST", headers: { apikey: s.anonKey, Authorization: `Bearer ${a.access_token}` } });
  assertEquals(local.status, 204);
  assertEquals((await sb.auth.getUser(a.access_token)).error?.name, "AuthSessionMissingError");
  assertEquals((await sb.auth.getUser(b.access_token)).data.user?.email, addr, "the other session lives on");
});

Deno.test({ name: "standin auth with supabase-js: a refresh token reused after the interval is refused and revokes its session's tokens", sanitizeOps: false, sanitizeResources: false }, async () => {
  const s = await startStandin({ databaseUrl: DATABASE_URL, refreshReuseIntervalMs: 0 });
  try {
    const sb = createClient(s.url, s.anonKey, noSession);
    const first = (await sb.auth.signUp({ email: email(), password: "test-password" })).data.session!;
    const child = (await sb.auth.refreshSession({ refresh_token: first.refresh_token })).data.session!;
    await new Promise((r) => setTimeout(r, 5));
    const reused = await sb.auth.refreshSession({ refresh_token: first.refresh_token });
    assertEquals([reused.error?.status, reused.error?.code], [400, "refresh_token_already_used"]);
    const childAfter = await sb.auth.refreshSession({ refresh_token: child.refresh_token });
    assertEquals([childAfter.error?.status, childAfter.error?.code], [400, "refresh_token_already_used"], "the active child is revoked too");
  } finally {
    await s.close();
  }
});

envTest("standin rest with supabase-js: embeds both ways, single objects (PGRST116), expired JWT (PGRST303 + WWW-Authenticate)", async (env) => {
  const s = env.standin;
  const u = await env.signUp();
  const other = await env.signUp();
  const sb = createClient(s.url, s.anonKey, { ...noSession, global: { headers: { Authorization: `Bearer ${u.token}` } } });
  const p = await sb.from("projects").insert({ title: "Embedded" }).select().single();
  assert(!p.error, `insert project: ${p.error?.message}`);
  const pid = p.data.id;
  for (const i of [0, 1, 2]) {
    const c = await sb.from("clips").insert({ project_id: pid, image_url: `${u.id}/${pid}/${i}.jpg`, prompt: `clip ${i}` });
    assert(!c.error, `insert clip: ${c.error?.message}`);
  }
  const emb = await sb.from("projects").select("*,clips(*)").eq("id", pid).order("order", { referencedTable: "clips", ascending: false }).single();
  assert(!emb.error, `embed: ${emb.error?.message}`);
  assertEquals([emb.data.title, emb.data.clips.map((c: { order: number }) => c.order)], ["Embedded", [2, 1, 0]]);
  assertEquals(Object.keys(emb.data.clips[0]).includes("prompt"), true);
  const narrow = await sb.from("projects").select("id, title, clips(prompt)").eq("id", pid).eq("clips.prompt", "clip 1");
  assertEquals(narrow.data, [{ id: pid, title: "Embedded", clips: [{ prompt: "clip 1" }] }], "columns, embedded filter");
  const aliased = await sb.from("projects").select("name:title, films:clips(order)").eq("id", pid).order("order", { referencedTable: "films" }).limit(1, { referencedTable: "films" });
  assertEquals(aliased.data, [{ name: "Embedded", films: [{ order: 0 }] }], "aliases, embedded order + limit");
  const up = await sb.from("clips").select("order, project:projects(title, user_id)").eq("project_id", pid).order("order").limit(1);
  assertEquals(up.data, [{ order: 0, project: { title: "Embedded", user_id: u.id } }], "many-to-one embeds an object");
  const rawEmb = await env.rest(u.token, "GET", `/rest/v1/projects?select=*,clips(*)&id=eq.${pid}`);
  assertEquals([rawEmb.status, (await rawEmb.json())[0].clips.length], [200, 3], "the select README.md recommends");
  const otherSees = await env.rest(other.token, "GET", `/rest/v1/projects?select=*,clips(*)&id=eq.${pid}`);
  assertEquals(await otherSees.json(), [], "RLS applies to embeds");
  const picked = await sb.from("clips").insert({ project_id: pid, image_url: `${u.id}/${pid}/3.jpg` }).select("order, project:projects(title)").single();
  assertEquals(picked.data, { order: 3, project: { title: "Embedded" } }, "select (with an embed) on an insert");
  const renamed = await sb.from("projects").update({ title: "Renamed" }).eq("id", pid).select("title");
  assertEquals(renamed.data, [{ title: "Renamed" }], "select on an update");
  const orderFilter = await sb.from("clips").delete().eq("project_id", pid).eq("order", 3);
  assertEquals([orderFilter.status, orderFilter.error?.code], [400, "PGRST100"], "`order=eq.3` is PostgREST's order parameter: refused, nothing deleted");
  const removed = await sb.from("clips").delete().eq("project_id", pid).eq("image_url", `${u.id}/${pid}/3.jpg`).select("order");
  assertEquals(removed.data, [{ order: 3 }], "select on a delete");
  await sb.from("projects").update({ title: "Embedded" }).eq("id", pid);
  const badEmbed = await sb.from("projects").select("*,payments_nope(*)");
  assertEquals([badEmbed.status, badEmbed.error?.code], [400, "PGRST200"]);

  const one = await env.rest(u.token, "GET", `/rest/v1/projects?id=eq.${pid}`, undefined, { Accept: "application/vnd.pgrst.object+json" });
  assertEquals([one.status, one.headers.get("Content-Type")?.split(";")[0], (await one.json()).id], [200, "application/vnd.pgrst.object+json", pid]);
  const none = await sb.from("projects").select().eq("id", crypto.randomUUID()).single();
  assertEquals([none.status, none.error?.code, none.error?.details], [406, "PGRST116", "The result contains 0 rows"]);
  const theirs = await createClient(s.url, s.anonKey, { ...noSession, global: { headers: { Authorization: `Bearer ${other.token}` } } })
    .from("projects").select().eq("id", pid).single();
  assertEquals([theirs.status, theirs.error?.code], [406, "PGRST116"], "another user's row is simply absent");
  const many = await sb.from("clips").select().eq("project_id", pid).single();
  assertEquals([many.status, many.error?.details], [406, "The result contains 3 rows"]);

  const expired = await s.mintUserToken(u.id, u.email, -30);
  const exp = await env.rest(expired, "GET", "/rest/v1/projects");
  assertEquals([exp.status, exp.headers.get("WWW-Authenticate"), (await exp.json()).code],
    [401, 'Bearer error="invalid_token", error_description="JWT expired"', "PGRST303"]);
  const forged = await env.rest(u.token.slice(0, -2) + "xx", "GET", "/rest/v1/projects");
  assertEquals([forged.status, (await forged.json()).code], [401, "PGRST301"]);
  assert(forged.headers.get("WWW-Authenticate")?.startsWith('Bearer error="invalid_token"'), "WWW-Authenticate on a bad JWT");
  const viaJs = await createClient(s.url, s.anonKey, { ...noSession, global: { headers: { Authorization: `Bearer ${expired}` } } }).from("projects").select();
  assertEquals([viaJs.status, viaJs.error?.code, viaJs.error?.message], [401, "PGRST303", "JWT expired"]);
});

envTest("standin storage with supabase-js: multipart and raw uploads, error shape, Range + ETag on downloads and signed URLs, signed upload URLs", async (env) => {
  const s = env.standin;
  const u = await env.signUp();
  const other = await env.signUp();
  const sb = createClient(s.url, s.anonKey, { ...noSession, global: { headers: { Authorization: `Bearer ${u.token}` } } });
  const bytes = new Uint8Array(1000).map((_, i) => i % 251);
  const path = `${u.id}/p/blob.png`;
  const up = await sb.storage.from("images").upload(path, new Blob([bytes], { type: "image/png" }));
  assertEquals([up.error, up.data?.fullPath], [null, `images/${path}`], "a Blob goes up as multipart/form-data");
  const [row] = await s.sql`select metadata from storage.objects where bucket_id = 'images' and name = ${path}`;
  assertEquals([row.metadata.size, row.metadata.mimetype], [1000, "image/png"], "size and type from the form's file part");
  const dl = await sb.storage.from("images").download(path);
  assertEquals([dl.data?.type, [...new Uint8Array(await dl.data!.arrayBuffer())]], ["image/png", [...bytes]]);
  const rawUp = await sb.storage.from("images").upload(`${u.id}/p/raw.jpg`, bytes.buffer, { contentType: "image/jpeg" });
  assertEquals(rawUp.error, null, "a raw body with its Content-Type");

  // errors: HTTP 400 with supabase/storage's body, the real status as a string in statusCode
  const dup = await sb.storage.from("images").upload(path, new Blob([bytes], { type: "image/png" }));
  assertEquals([(dup.error as { status?: number })?.status, (dup.error as { statusCode?: string })?.statusCode], [400, "409"]);
  const missing = await fetch(`${s.url}/storage/v1/object/images/${u.id}/nope.png`, { headers: { apikey: s.anonKey, Authorization: `Bearer ${u.token}` } });
  assertEquals([missing.status, await missing.json()], [400, { statusCode: "404", code: "NoSuchKey", error: "not_found", message: "Object not found" }]);
  const foreign = await createClient(s.url, s.anonKey, { ...noSession, global: { headers: { Authorization: `Bearer ${other.token}` } } })
    .storage.from("images").upload(`${u.id}/p/evil.png`, new Blob([bytes], { type: "image/png" }));
  assertEquals((foreign.error as { statusCode?: string })?.statusCode, "403");
  const expired = await fetch(`${s.url}/storage/v1/object/images/${path}`, { headers: { apikey: s.anonKey, Authorization: `Bearer ${await s.mintUserToken(u.id, u.email, -5)}` } });
  assertEquals([expired.status, await expired.json()], [400, { statusCode: "403", code: "AccessDenied", error: "Unauthorized", message: "jwt expired" }]);

  // Range + ETag on an authenticated download
  const auth = { apikey: s.anonKey, Authorization: `Bearer ${u.token}` };
  const full = await fetch(`${s.url}/storage/v1/object/authenticated/images/${path}`, { headers: auth });
  const etag = full.headers.get("ETag");
  assertEquals([full.status, full.headers.get("Accept-Ranges"), full.headers.get("Content-Length")], [200, "bytes", "1000"]);
  await full.body?.cancel();
  assert(etag && /^"[0-9a-f]{32}"$/.test(etag), `ETag ${etag}`);
  const part = await fetch(`${s.url}/storage/v1/object/images/${path}`, { headers: { ...auth, Range: "bytes=10-19" } });
  assertEquals([part.status, part.headers.get("Content-Range"), part.headers.get("ETag"), [...new Uint8Array(await part.arrayBuffer())]],
    [206, "bytes 10-19/1000", etag, [...bytes.slice(10, 20)]]);
  const tail = await fetch(`${s.url}/storage/v1/object/images/${path}`, { headers: { ...auth, Range: "bytes=-5" } });
  assertEquals([tail.status, tail.headers.get("Content-Range"), (await tail.arrayBuffer()).byteLength], [206, "bytes 995-999/1000", 5]);
  const past = await fetch(`${s.url}/storage/v1/object/images/${path}`, { headers: { ...auth, Range: "bytes=5000-" } });
  assertEquals([past.status, (await past.json()).statusCode, past.headers.get("Content-Range")], [400, "416", "bytes */1000"]);
  const same = await fetch(`${s.url}/storage/v1/object/images/${path}`, { headers: { ...auth, "If-None-Match": etag! } });
  assertEquals(same.status, 304);
  await same.body?.cancel();

  // signed URL (no apikey, no JWT): Range + ETag too
  const signed = await sb.storage.from("images").createSignedUrl(path, 60);
  assert(!signed.error && signed.data, "signed");
  const sr = await fetch(signed.data.signedUrl, { headers: { Range: "bytes=0-3" } });
  assertEquals([sr.status, sr.headers.get("Content-Range"), sr.headers.get("ETag"), [...new Uint8Array(await sr.arrayBuffer())]],
    [206, "bytes 0-3/1000", etag, [0, 1, 2, 3]]);

  // signed upload URL: created by the owner (RLS checked then), used without a JWT
  const target = `${u.id}/p/signed-upload.png`;
  const su = await sb.storage.from("images").createSignedUploadUrl(target);
  assert(!su.error && su.data?.token, `createSignedUploadUrl: ${su.error?.message}`);
  const put = await createClient(s.url, s.anonKey, noSession).storage.from("images").uploadToSignedUrl(target, su.data.token, new Blob([bytes.slice(0, 10)], { type: "image/png" }));
  assertEquals([put.error, put.data?.fullPath], [null, `images/${target}`]);
  const [owner] = await s.sql`select owner::text from storage.objects where bucket_id = 'images' and name = ${target}`;
  assertEquals(owner.owner, u.id, "the object belongs to the signer");
  const back = await sb.storage.from("images").download(target);
  assertEquals((await back.data!.arrayBuffer()).byteLength, 10);
  const replay = await fetch(`${s.url}/storage/v1${su.data.signedUrl.slice(su.data.signedUrl.indexOf("/object/"))}`, { method: "PUT", headers: { "Content-Type": "image/png" }, body: bytes });
  assertEquals([replay.status, (await replay.json()).statusCode], [400, "409"], "a second upload to the same URL without upsert");
  const tampered = await fetch(`${s.url}/storage/v1/object/upload/sign/images/${u.id}/p/other.png?token=${su.data.token}`, { method: "PUT", headers: { "Content-Type": "image/png" }, body: bytes });
  assertEquals([tampered.status, (await tampered.json()).error], [400, "InvalidSignature"], "a token signs one path only");
  const notMine = await createClient(s.url, s.anonKey, { ...noSession, global: { headers: { Authorization: `Bearer ${other.token}` } } })
    .storage.from("images").createSignedUploadUrl(`${u.id}/p/x.png`);
  assertEquals((notMine.error as { statusCode?: string })?.statusCode, "403", "RLS when signing");
});
