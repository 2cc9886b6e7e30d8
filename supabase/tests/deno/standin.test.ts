// The stand-in itself: Auth (rotation), PostgREST subset with real RLS, Storage, function routing.
import { createHandler as generate } from "../../functions/generate-clip/handler.ts";
import { startStandin } from "../standin/standin.ts";
import { assert, assertEquals, DATABASE_URL, envTest } from "./_helpers.ts";

envTest("standin auth: password grant, /user, refresh rotation with reuse interval", async (env) => {
  const s = env.standin;
  const u = await env.signUp();
  const post = (path: string, body: unknown) => fetch(`${s.url}/auth/v1${path}`, { method: "POST", headers: { apikey: s.anonKey }, body: JSON.stringify(body) });
  const wrong = await post("/token?grant_type=password", { email: u.email, password: "nope-nope" });
  assertEquals([wrong.status, (await wrong.json()).error_code], [400, "invalid_credentials"]);
  const sess = await (await post("/token?grant_type=password", { email: u.email, password: "test-password" })).json();
  const me = await (await fetch(`${s.url}/auth/v1/user`, { headers: { apikey: s.anonKey, Authorization: `Bearer ${sess.access_token}` } })).json();
  assertEquals(me.id, u.id);
  const bad = await fetch(`${s.url}/auth/v1/user`, { headers: { apikey: s.anonKey, Authorization: "Bearer x.y.z" } });
  assertEquals([bad.status, (await bad.json()).error_code], [403, "bad_jwt"]);
  const r1 = await (await post("/token?grant_type=refresh_token", { refresh_token: sess.refresh_token })).json();
  assert(r1.refresh_token && r1.refresh_token !== sess.refresh_token, "rotated");
  const reuse = await (await post("/token?grant_type=refresh_token", { refresh_token: sess.refresh_token })).json();
  assertEquals(reuse.refresh_token, r1.refresh_token, "parent within reuse interval returns the active child");
  const unknown = await post("/token?grant_type=refresh_token", { refresh_token: "nope" });
  assertEquals((await unknown.json()).error_code, "refresh_token_not_found");
});

Deno.test({ name: "standin auth: reuse after the interval revokes the token family", sanitizeOps: false, sanitizeResources: false }, async () => {
  const s = await startStandin({ databaseUrl: DATABASE_URL, refreshReuseIntervalMs: 0 });
  try {
    const post = (path: string, body: unknown) => fetch(`${s.url}/auth/v1${path}`, { method: "POST", headers: { apikey: s.anonKey }, body: JSON.stringify(body) });
    const sess = await (await post("/signup", { email: `f${crypto.randomUUID().slice(0, 8)}@test.invalid`, password: "test-password" })).json();
    const child = await (await post("/token?grant_type=refresh_token", { refresh_token: sess.refresh_token })).json();
    await new Promise((r) => setTimeout(r, 5));
    const reused = await post("/token?grant_type=refresh_token", { refresh_token: sess.refresh_token });
    assertEquals([reused.status, (await reused.json()).error_code], [400, "refresh_token_already_used"]);
    const childAfter = await post("/token?grant_type=refresh_token", { refresh_token: child.refresh_token });
    assertEquals(childAfter.status, 400, "whole family revoked");
    await childAfter.body?.cancel();
  } finally {
    await s.close();
  }
});

envTest("standin rest: RLS through HTTP for two users and anon, rpc status mapping", async (env) => {
  const a = await env.signUp();
  const b = await env.signUp();
  const { projectId, clipId } = await env.newClip(a);
  const bSees = await (await env.rest(b.token, "GET", `/rest/v1/projects?id=eq.${projectId}`)).json();
  assertEquals(bSees, []);
  const bPatch = await env.rest(b.token, "PATCH", `/rest/v1/projects?id=eq.${projectId}`, { title: "pwned" }, { Prefer: "return=representation" });
  assertEquals(await bPatch.json(), [], "RLS-blocked update affects 0 rows");
  const aPatch = await env.rest(a.token, "PATCH", `/rest/v1/projects?id=eq.${projectId}`, { title: "Renamed", status: "completed" }, { Prefer: "return=representation" });
  assertEquals((await aPatch.json())[0].title, "Renamed");
  const bInsert = await env.rest(b.token, "POST", "/rest/v1/clips", { project_id: projectId, image_url: "x" });
  assertEquals([bInsert.status, (await bInsert.json()).code], [403, "42501"]);
  const anon = await fetch(`${env.standin.url}/rest/v1/projects`, { headers: { apikey: env.standin.anonKey } });
  assertEquals(anon.status, 401, "anon has no grant on projects");
  await anon.body?.cancel();
  const single = await env.rest(b.token, "GET", `/rest/v1/clips?id=eq.${clipId}`, undefined, { Accept: "application/vnd.pgrst.object+json" });
  assertEquals(single.status, 406);
  await single.body?.cancel();
  const cheat = await env.rest(a.token, "PATCH", `/rest/v1/user_profiles?id=eq.${a.id}`, { credit_balance: 500 });
  assertEquals(cheat.status, 403);
  await cheat.body?.cancel();
  const own = await (await env.rest(a.token, "GET", "/rest/v1/user_profiles?select=credit_balance,referral_code")).json();
  assertEquals(own.length, 1);
  const self = await env.rest(a.token, "POST", "/rest/v1/rpc/redeem_referral", { p_code: own[0].referral_code });
  assertEquals(self.status, 409);
  await self.body?.cancel();
  const redeem = await (await env.rest(b.token, "POST", "/rest/v1/rpc/redeem_referral", { p_code: own[0].referral_code })).json();
  assertEquals(redeem.credit_balance, 3);
  const second = await env.rest(a.token, "POST", "/rest/v1/clips", { project_id: projectId, image_url: "y" }, { Prefer: "return=representation" });
  const c2 = (await second.json())[0];
  assertEquals(c2.order, 1);
  const moved = await (await env.rest(a.token, "POST", "/rest/v1/rpc/move_clip", { p_clip_id: c2.id, p_new_index: 0 })).json();
  assertEquals(moved.clips.map((c: { id: string }) => c.id), [c2.id, clipId]);
  const spend = await env.rest(b.token, "POST", "/rest/v1/rpc/reserve_generation_credit", { p_clip_id: clipId });
  assertEquals(spend.status, 404, "cannot spend on another user's clip");
  await spend.body?.cancel();
  const forbidden = await env.rest(a.token, "POST", "/rest/v1/rpc/grant_purchase", { p_stripe_session_id: "cs_x", p_user_id: a.id, p_credits: 99, p_amount_cents: 1 });
  assertEquals(forbidden.status, 403);
  await forbidden.body?.cancel();
  const del = await env.rest(a.token, "DELETE", `/rest/v1/clips?id=eq.${clipId}`, undefined, { Prefer: "return=representation" });
  assertEquals((await del.json()).length, 1);
  const left = await (await env.rest(a.token, "GET", `/rest/v1/clips?project_id=eq.${projectId}&select=id,order&order=order.asc`)).json();
  assertEquals(left, [{ id: c2.id, order: 0 }]);
});

envTest("standin storage: own folder only, signed URLs, mime limits, delete", async (env) => {
  const a = await env.signUp();
  const b = await env.signUp();
  const s = env.standin;
  const up = (tok: string, path: string, ct = "image/png") => fetch(`${s.url}/storage/v1/object/images/${path}`, {
    method: "POST", headers: { apikey: s.anonKey, Authorization: `Bearer ${tok}`, "Content-Type": ct }, body: new Uint8Array([137, 80, 78, 71]) });
  const ok = await up(a.token, `${a.id}/p/1.png`);
  assertEquals(ok.status, 200);
  await ok.body?.cancel();
  const dup = await up(a.token, `${a.id}/p/1.png`);
  assertEquals([dup.status, (await dup.json()).statusCode], [400, "409"], "storage answers errors with 400 + statusCode");
  const foreign = await up(b.token, `${a.id}/p/evil.png`);
  assertEquals([foreign.status, (await foreign.json()).statusCode], [400, "403"], "storage answers errors with 400 + statusCode");
  const gif = await up(a.token, `${a.id}/p/x.gif`, "image/gif");
  assertEquals([gif.status, (await gif.json()).statusCode], [400, "415"], "storage answers errors with 400 + statusCode");
  const bGet = await fetch(`${s.url}/storage/v1/object/images/${a.id}/p/1.png`, { headers: { apikey: s.anonKey, Authorization: `Bearer ${b.token}` } });
  assertEquals([bGet.status, (await bGet.json()).statusCode], [400, "404"], "storage answers errors with 400 + statusCode");
  const bSign = await fetch(`${s.url}/storage/v1/object/sign/images/${a.id}/p/1.png`, { method: "POST", headers: { apikey: s.anonKey, Authorization: `Bearer ${b.token}` }, body: "{}" });
  assertEquals([bSign.status, (await bSign.json()).statusCode], [400, "404"], "storage answers errors with 400 + statusCode");
  const signed = await (await fetch(`${s.url}/storage/v1/object/sign/images/${a.id}/p/1.png`, { method: "POST", headers: { apikey: s.anonKey, Authorization: `Bearer ${a.token}` }, body: JSON.stringify({ expiresIn: 60 }) })).json();
  const dl = await fetch(`${s.url}/storage/v1${signed.signedURL}`);
  assertEquals([dl.status, (await dl.arrayBuffer()).byteLength], [200, 4]);
  const tampered = await fetch(`${s.url}/storage/v1${signed.signedURL.replace(/(\.[^.]{4})(.)/, (_: string, h: string, c: string) => h + (c === "A" ? "B" : "A"))}`);
  assertEquals([tampered.status, (await tampered.json()).error], [400, "InvalidJWT"]);
  const bDel = await (await fetch(`${s.url}/storage/v1/object/images`, { method: "DELETE", headers: { apikey: s.anonKey, Authorization: `Bearer ${b.token}` }, body: JSON.stringify({ prefixes: [`${a.id}/p/1.png`] }) })).json();
  assertEquals(bDel, []);
  const aDel = await (await fetch(`${s.url}/storage/v1/object/images`, { method: "DELETE", headers: { apikey: s.anonKey, Authorization: `Bearer ${a.token}` }, body: JSON.stringify({ prefixes: [`${a.id}/p/1.png`] }) })).json();
  assertEquals(aDel.length, 1);
});

Deno.test({ name: "standin functions: /functions/v1 enforces verify_jwt and runs the handler over HTTP", sanitizeOps: false, sanitizeResources: false }, async () => {
  let h: (r: Request) => Promise<Response> = () => Promise.resolve(new Response(null, { status: 503 }));
  const s = await startStandin({ databaseUrl: DATABASE_URL, functions: { "generate-clip": { verifyJwt: true, handler: (r) => h(r) } } });
  try {
    h = generate({ config: { supabaseUrl: s.url, anonKey: s.anonKey, serviceRoleKey: s.serviceKey, activeProvider: "runway", runwayApiKey: "fake-runway-key",
      runwayBaseUrl: "http://127.0.0.1:9", runwayModel: "gen4_turbo", providerTimeoutMs: 200, providerRetries: 0, providerBackoffMs: 1,
      stripeSecretKey: "", stripeApiBase: "", stripeWebhookSecret: "", checkoutSuccessUrl: "", checkoutCancelUrl: "", checkoutRedirectAllowlist: "" },
      fetch: (i, init) => fetch(i, init), sleep: () => Promise.resolve(), now: () => Date.now(), random: () => 0.5, log: () => {} });
    const noJwt = await fetch(`${s.url}/functions/v1/generate-clip`, { method: "POST", body: "{}" });
    assertEquals(noJwt.status, 401);
    await noJwt.body?.cancel();
    const sess = await (await fetch(`${s.url}/auth/v1/signup`, { method: "POST", headers: { apikey: s.anonKey }, body: JSON.stringify({ email: `g${crypto.randomUUID().slice(0, 8)}@test.invalid`, password: "test-password" }) })).json();
    const malformed = await fetch(`${s.url}/functions/v1/generate-clip`, { method: "POST", headers: { apikey: s.anonKey, Authorization: `Bearer ${sess.access_token}` }, body: "{oops" });
    assertEquals([malformed.status, (await malformed.json()).error], [400, "malformed JSON body"]);
    const missing = await fetch(`${s.url}/functions/v1/generate-clip`, { method: "POST", headers: { apikey: s.anonKey, Authorization: `Bearer ${sess.access_token}` }, body: JSON.stringify({ clip_id: crypto.randomUUID() }) });
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await s.close();
  }
});
