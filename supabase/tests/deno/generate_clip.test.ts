import { createHandler } from "../../functions/generate-clip/handler.ts";
import { assert, assertEquals, assertMatch, call, envTest, FAKE_RUNWAY_KEY } from "./_helpers.ts";

envTest("generate-clip: happy path reserves a credit, starts Runway, records the task", async (env) => {
  const u = await env.signUp();
  const { clipId, projectId } = await env.newClip(u);
  env.runway.onStart = () => ({ status: 200, body: { id: "task-happy-1" } });
  const h = createHandler(env.deps());
  const res = await call(h, u.token, { clip_id: clipId, ratio: "960:960" });
  const body = await res.json();
  assertEquals(res.status, 200, JSON.stringify(body));
  assertEquals(body.task_id, "task-happy-1");
  assertEquals(body.credit_balance, 0);
  const posts = env.runway.calls("POST", "/v1/image_to_video");
  assertEquals(posts.length, 1, "one Runway task");
  assertEquals(posts[0].headers.get("authorization"), `Bearer ${FAKE_RUNWAY_KEY}`);
  assertEquals(posts[0].headers.get("x-runway-version"), "2024-11-06");
  const sent = JSON.parse(posts[0].body);
  assertEquals([sent.model, sent.ratio, sent.duration, sent.promptText], ["gen4_turbo", "960:960", 5, "gentle push-in"]);
  assertMatch(sent.promptImage, new RegExp(`^${env.standin.url}/storage/v1/object/sign/images/${u.id}/${projectId}/${clipId}\\.jpg\\?token=`));
  const img = await fetch(sent.promptImage);
  assertEquals(img.status, 200, "signed image URL works");
  await img.body?.cancel();
  const [clip] = await env.standin.sql`select status, provider, provider_task_id from public.clips where id = ${clipId}`;
  assertEquals([clip.status, clip.provider, clip.provider_task_id], ["generating", "runway", "task-happy-1"]);
  assertEquals(await env.balance(u.id), 0);
  assert(await env.ledgerOk(), "ledger invariant");
});

envTest("generate-clip: repeated requests are idempotent (one task, one credit)", async (env) => {
  const u = await env.signUp();
  const { clipId } = await env.newClip(u);
  const h = createHandler(env.deps());
  const first = await (await call(h, u.token, { clip_id: clipId })).json();
  for (let i = 0; i < 3; i++) {
    const again = await call(h, u.token, { clip_id: clipId });
    const b = await again.json();
    assertEquals(again.status, 200);
    assertEquals(b.task_id, first.task_id, "same task id");
    assertEquals(b.already_started, true);
  }
  assertEquals(env.runway.calls("POST", "/v1/image_to_video").length, 1);
  assertEquals(await env.balance(u.id), 0);
  const [r] = await env.standin.sql`select count(*)::int as n from public.generation_reservations where clip_id = ${clipId}`;
  assertEquals(r.n, 1, "one reservation");
});

envTest("generate-clip: concurrent duplicate requests start at most one task", async (env) => {
  const u = await env.signUp();
  const { clipId } = await env.newClip(u);
  env.runway.onStart = () => ({ status: 200, body: { id: "task-conc" }, delayMs: 50 });
  const h = createHandler(env.deps());
  const results = await Promise.all([1, 2, 3, 4, 5].map(() => call(h, u.token, { clip_id: clipId })));
  for (const r of results) {
    assert([200, 202].includes(r.status), `status ${r.status}`);
    await r.body?.cancel();
  }
  assertEquals(env.runway.calls("POST", "/v1/image_to_video").length, 1, "one provider task");
  assertEquals(await env.balance(u.id), 0);
});

envTest("generate-clip: Runway 429 is retried with backoff, then the credit is released", async (env) => {
  const u = await env.signUp();
  const { clipId } = await env.newClip(u);
  env.runway.onStart = () => ({ status: 429, body: { error: "daily generation limit" } });
  const sleeps: number[] = [];
  const h = createHandler(env.deps({ sleep: (ms) => (sleeps.push(ms), Promise.resolve()) }));
  const res = await call(h, u.token, { clip_id: clipId });
  const body = await res.json();
  assertEquals(res.status, 503, JSON.stringify(body));
  assertEquals(body.credit_released, true);
  assertEquals(env.runway.calls("POST", "/v1/image_to_video").length, 3, "1 try + 2 retries");
  assert(sleeps.length === 2 && sleeps[1] > sleeps[0], `exponential backoff ${sleeps}`);
  assertEquals(await env.balance(u.id), 1, "credit back");
  const [clip] = await env.standin.sql`select status, error from public.clips where id = ${clipId}`;
  assertEquals(clip.status, "failed");
  assertMatch(clip.error, /429/);
  assert(await env.ledgerOk(), "ledger invariant");
});

envTest("generate-clip: Runway 500 on POST is not retried (no duplicate task) and releases", async (env) => {
  const u = await env.signUp();
  const { clipId } = await env.newClip(u);
  env.runway.onStart = () => ({ status: 500, body: { error: "internal" } });
  const res = await call(createHandler(env.deps()), u.token, { clip_id: clipId });
  assertEquals(res.status, 503);
  await res.body?.cancel();
  assertEquals(env.runway.calls("POST", "/v1/image_to_video").length, 1);
  assertEquals(await env.balance(u.id), 1);
});

envTest("generate-clip: Runway 400 is a permanent rejection (422) and releases", async (env) => {
  const u = await env.signUp();
  const { clipId } = await env.newClip(u);
  env.runway.onStart = () => ({ status: 400, body: { error: "promptImage: unsupported aspect ratio" } });
  const res = await call(createHandler(env.deps()), u.token, { clip_id: clipId });
  const body = await res.json();
  assertEquals(res.status, 422);
  assertMatch(body.detail, /promptImage/);
  assertEquals(await env.balance(u.id), 1);
});

envTest("generate-clip: provider timeout releases the credit", async (env) => {
  const u = await env.signUp();
  const { clipId } = await env.newClip(u);
  env.runway.onStart = () => ({ status: 200, body: { id: "too-late" }, delayMs: 400 });
  const res = await call(createHandler(env.deps({ config: { providerTimeoutMs: 100 } })), u.token, { clip_id: clipId });
  const body = await res.json();
  assertEquals(res.status, 503, JSON.stringify(body));
  assertMatch(body.detail, /timed out/);
  assertEquals(await env.balance(u.id), 1);
});

envTest("generate-clip: another user's clip is refused without charging anyone", async (env) => {
  const a = await env.signUp();
  const b = await env.signUp();
  const { clipId } = await env.newClip(a);
  const res = await call(createHandler(env.deps()), b.token, { clip_id: clipId });
  assertEquals(res.status, 404);
  await res.body?.cancel();
  assertEquals(env.runway.calls("POST", "/").length, 0);
  assertEquals([await env.balance(a.id), await env.balance(b.id)], [1, 1]);
});

envTest("generate-clip: an image outside the caller's folder is never signed", async (env) => {
  const a = await env.signUp();
  const b = await env.signUp();
  const { clipId } = await env.newClip(b, { imagePath: `${a.id}/p/secret.jpg` });
  const res = await call(createHandler(env.deps()), b.token, { clip_id: clipId });
  assertEquals(res.status, 403);
  await res.body?.cancel();
  assertEquals(await env.balance(b.id), 1);
});

envTest("generate-clip: malformed JSON -> 400, no/invalid token -> 401, bad clip_id -> 400", async (env) => {
  const u = await env.signUp();
  const h = createHandler(env.deps());
  const bad = await call(h, u.token, "{not json");
  assertEquals(bad.status, 400);
  assertEquals((await bad.json()).error, "malformed JSON body");
  const noTok = await call(h, null, { clip_id: crypto.randomUUID() });
  assertEquals(noTok.status, 401);
  await noTok.body?.cancel();
  const forged = await call(h, u.token.slice(0, -4) + "AAAA", { clip_id: crypto.randomUUID() });
  assertEquals(forged.status, 401);
  await forged.body?.cancel();
  const notUuid = await call(h, u.token, { clip_id: "42" });
  assertEquals(notUuid.status, 400);
  await notUuid.body?.cancel();
  const get = await call(h, u.token, null, "GET");
  assertEquals(get.status, 405);
  await get.body?.cancel();
});

envTest("generate-clip: at 0 credits the request fails with 402 and Runway is not called", async (env) => {
  const u = await env.signUp();
  const one = await env.newClip(u);
  const two = await env.newClip(u);
  const h = createHandler(env.deps());
  assertEquals((await call(h, u.token, { clip_id: one.clipId })).status, 200);
  const res = await call(h, u.token, { clip_id: two.clipId });
  const body = await res.json();
  assertEquals(res.status, 402);
  assertEquals([body.error, body.code, body.credit_balance], ["insufficient credits", "insufficient_credits", 0]);
  assertEquals(env.runway.calls("POST", "/v1/image_to_video").length, 1);
});

envTest("generate-clip: secrets never appear in logs", async (env) => {
  const u = await env.signUp();
  const { clipId } = await env.newClip(u);
  env.runway.onStart = () => ({ status: 401, body: { error: "bad key" } });
  const res = await call(createHandler(env.deps()), u.token, { clip_id: clipId });
  await res.body?.cancel();
  assert(env.logs.length > 0, "failure was logged");
  for (const l of env.logs) {
    assert(!l.includes(FAKE_RUNWAY_KEY) && !l.includes(env.standin.serviceKey) && !l.includes(u.token), `secret in log: ${l}`);
  }
});
