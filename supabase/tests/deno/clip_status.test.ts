import { createHandler as generate } from "../../functions/generate-clip/handler.ts";
import { createHandler as status } from "../../functions/clip-status/handler.ts";
import { nextPollSeconds, POLL_MAX_SECONDS, POLL_MIN_SECONDS } from "../../functions/_shared/generation.ts";
import { assert, assertEquals, assertMatch, call, envTest, type Env } from "./_helpers.ts";

async function started(env: Env) {
  const u = await env.signUp();
  const { clipId, projectId } = await env.newClip(u);
  const taskId = `task-${crypto.randomUUID()}`;
  env.runway.onStart = () => ({ status: 200, body: { id: taskId } });
  const r = await call(generate(env.deps()), u.token, { clip_id: clipId });
  assertEquals(r.status, 200, "generation started");
  await r.body?.cancel();
  return { u, clipId, projectId, taskId };
}

envTest("clip-status: running -> generating; succeeded -> video copied, clip ready, credit committed", async (env) => {
  const { u, clipId, projectId, taskId } = await started(env);
  const h = status(env.deps());
  env.runway.onTask = (id) => ({ status: 200, body: { id, status: "RUNNING", progress: 0.4 } });
  const running = await (await call(h, u.token, { clip_id: clipId })).json();
  assertEquals([running.status, running.state, running.progress], ["generating", "running", 0.4]);
  assert(running.retry_after_seconds >= 5, "client is told to wait >= 5 s");

  env.runway.onTask = (id) => ({ status: 200, body: { id, status: "SUCCEEDED", output: [`${env.runway.url}/output/${id}.mp4`] } });
  const res = await call(h, u.token, { clip_id: clipId });
  const done = await res.json();
  assertEquals(res.status, 200, JSON.stringify(done));
  assertEquals([done.status, done.committed], ["ready", true]);
  const path = `${u.id}/${projectId}/${clipId}.mp4`;
  assertEquals(done.video_path, path);
  const stored = env.standin.storage.get(`clips/${path}`);
  assert(stored, "video stored in the clips bucket");
  assertEquals(new TextDecoder().decode(stored.bytes), `FAKE-MP4-${taskId}`);
  const dl = await fetch(done.video_url);
  assertEquals(await dl.text(), `FAKE-MP4-${taskId}`, "signed video URL serves the copy");
  const [obj] = await env.standin.sql`select owner from storage.objects where bucket_id = 'clips' and name = ${path}`;
  assert(obj, "storage.objects row");
  const [resv] = await env.standin.sql`select state from public.generation_reservations where clip_id = ${clipId}`;
  assertEquals(resv.state, "committed");
  assertEquals(await env.balance(u.id), 0);

  // the user can read their own video through storage RLS
  const own = await fetch(`${env.standin.url}/storage/v1/object/clips/${path}`, { headers: { apikey: env.standin.anonKey, Authorization: `Bearer ${u.token}` } });
  assertEquals(own.status, 200);
  await own.body?.cancel();
  // polling again is harmless
  const again = await (await call(h, u.token, { clip_id: clipId })).json();
  assertEquals(again.status, "ready");
  assertEquals(env.runway.calls("GET", "/v1/tasks/").length, 2, "no provider poll once ready");
  assert(await env.ledgerOk(), "ledger invariant");
});

Deno.test("clip-status: the next poll is timed by the provider's progress when it has one", () => {
  const now = 1_000_000_000_000;
  const deps = { now: () => now, random: () => 0.5 };
  const at = (age: number) => now - age * 1000;
  // 14 s in, half done, that half reached up to 4 s ago: (7 − 4) / 0.5 = 6 s to go
  assertEquals(nextPollSeconds({ state: "running", progress: 0.5, createdAtMs: at(14) }, deps), 6);
  assertEquals(nextPollSeconds({ state: "running", progress: 0.75, createdAtMs: at(24) }, deps), 2.7);
  // almost done: soon, but never sooner than the floor
  assertEquals(nextPollSeconds({ state: "running", progress: 0.99, createdAtMs: at(29.7) }, deps), POLL_MIN_SECONDS);
  // long to go: never later than the ceiling
  assertEquals(nextPollSeconds({ state: "running", progress: 0.4, createdAtMs: at(12) }, deps), POLL_MAX_SECONDS);
  // just started: the progress is at most half the task's age old, so no hurry either
  assertEquals(nextPollSeconds({ state: "running", progress: 0.16, createdAtMs: at(5) }, deps), POLL_MAX_SECONDS);
  // nothing to estimate from: the plain 5–7 s
  for (const st of [{ state: "queued" }, { state: "running", progress: 0.5 }, { state: "running", createdAtMs: at(10) },
    { state: "running", progress: 0, createdAtMs: at(10) }, { state: "running", progress: 0.5, createdAtMs: at(-5) }] as const) {
    assertEquals(nextPollSeconds(st, deps), 6, JSON.stringify(st));
  }
});

envTest("clip-status: a running task with progress and createdAt is polled again about when it should be done", async (env) => {
  const { u, clipId } = await started(env);
  const h = status(env.deps());
  // 13 s in, 60 % done: (5.2 − 4) / 0.6 = 2 s (the default would be 5–7 s)
  const createdAt = new Date(Date.now() - 13_000).toISOString();
  env.runway.onTask = (id) => ({ status: 200, body: { id, status: "RUNNING", createdAt, progress: 0.6 } });
  const body = await (await call(h, u.token, { clip_id: clipId })).json();
  assertEquals([body.status, body.progress], ["generating", 0.6]);
  assert(body.retry_after_seconds >= 2 && body.retry_after_seconds <= 4, `about 2 s left, told ${body.retry_after_seconds}`);
});

envTest("clip-status: moderation failure marks the clip failed with the reason and releases", async (env) => {
  const { u, clipId } = await started(env);
  env.runway.onTask = (id) => ({ status: 200, body: { id, status: "FAILED", failure: "Input image flagged", failureCode: "SAFETY.INPUT.IMAGE" } });
  const body = await (await call(status(env.deps()), u.token, { clip_id: clipId })).json();
  assertEquals([body.status, body.credit_released, body.credit_balance], ["failed", true, 1]);
  assertMatch(body.error, /SAFETY\.INPUT\.IMAGE: Input image flagged/);
  const second = await (await call(status(env.deps()), u.token, { clip_id: clipId })).json();
  assertEquals(second.status, "failed");
  assertEquals(await env.balance(u.id), 1, "released exactly once");
  const [r] = await env.standin.sql`select count(*)::int as n from public.credit_transactions where user_id = ${u.id} and type = 'generation_release'`;
  assertEquals(r.n, 1);
});

envTest("clip-status: provider 500/429 on polling backs off and keeps the clip generating", async (env) => {
  const { u, clipId } = await started(env);
  env.runway.onTask = (_id, nth) => nth % 2 ? { status: 500, body: { error: "oops" } } : { status: 429, body: { error: "slow down" } };
  const sleeps: number[] = [];
  const body = await (await call(status(env.deps({ sleep: (ms) => (sleeps.push(ms), Promise.resolve()) })), u.token, { clip_id: clipId })).json();
  assertEquals([body.status, body.state], ["generating", "provider_unavailable"]);
  assert(body.retry_after_seconds > 5, "client backs off");
  assertEquals(env.runway.calls("GET", "/v1/tasks/").length, 3, "GET retried twice");
  assertEquals(sleeps.length, 2);
  assertEquals(await env.balance(u.id), 0, "still reserved");
});

envTest("clip-status: retry succeeds after a transient 503", async (env) => {
  const { u, clipId } = await started(env);
  env.runway.onTask = (id, nth) => nth === 1 ? { status: 503, body: { error: "busy" } } : { status: 200, body: { id, status: "PENDING" } };
  const body = await (await call(status(env.deps()), u.token, { clip_id: clipId })).json();
  assertEquals([body.status, body.state], ["generating", "queued"]);
});

envTest("clip-status: stuck past 15 minutes -> task cancelled and credit released", async (env) => {
  const { u, clipId, taskId } = await started(env);
  const later = Date.now() + 16 * 60 * 1000;
  const body = await (await call(status(env.deps({ now: () => later })), u.token, { clip_id: clipId })).json();
  assertEquals([body.status, body.credit_released], ["failed", true]);
  assertMatch(body.error, /timed out/);
  assertEquals(env.runway.calls("DELETE", `/v1/tasks/${taskId}`).length, 1, "Runway task cancelled");
  assertEquals(await env.balance(u.id), 1);
  // a late success after the timeout must not resurrect the clip or charge again
  env.runway.onTask = (id) => ({ status: 200, body: { id, status: "SUCCEEDED", output: [`${env.runway.url}/output/${id}.mp4`] } });
  const after = await (await call(status(env.deps()), u.token, { clip_id: clipId })).json();
  assertEquals(after.status, "failed");
  assertEquals(await env.balance(u.id), 1);
  assert(await env.ledgerOk(), "ledger invariant");
});

envTest("clip-status: another user's clip -> 404; malformed JSON -> 400", async (env) => {
  const { clipId } = await started(env);
  const other = await env.signUp();
  const res = await call(status(env.deps()), other.token, { clip_id: clipId });
  assertEquals(res.status, 404);
  await res.body?.cancel();
  const bad = await call(status(env.deps()), other.token, "[1,2");
  assertEquals(bad.status, 400);
  await bad.body?.cancel();
  assertEquals(env.runway.calls("GET", "/v1/tasks/").length, 0);
});

envTest("clip-status: past 15 minutes but Runway already succeeded -> the video is delivered, not cancelled", async (env) => {
  const { u, clipId, taskId } = await started(env);
  env.runway.onTask = (id) => ({ status: 200, body: { id, status: "SUCCEEDED", output: [`${env.runway.url}/output/${id}.mp4`] } });
  const later = Date.now() + 16 * 60 * 1000;
  const body = await (await call(status(env.deps({ now: () => later })), u.token, { clip_id: clipId })).json();
  assertEquals([body.status, body.committed], ["ready", true]);
  assertEquals(await (await fetch(body.video_url)).text(), `FAKE-MP4-${taskId}`);
  assertEquals(env.runway.calls("DELETE", "/v1/tasks/").length, 0, "nothing cancelled");
  assertEquals(await env.balance(u.id), 0, "the credit paid for the video");
  assert(await env.ledgerOk(), "ledger invariant");
});
