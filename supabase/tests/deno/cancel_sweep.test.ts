// cancel-generation (the owner gives up) and sweep-generations (the scheduler settles what nobody polls),
// against the stand-in on the real PostgreSQL and the fake Runway.
import { createHandler as generate } from "../../functions/generate-clip/handler.ts";
import { createHandler as cancel } from "../../functions/cancel-generation/handler.ts";
import { createHandler as sweep } from "../../functions/sweep-generations/handler.ts";
import { assert, assertEquals, assertMatch, call, envTest, type Env } from "./_helpers.ts";

async function started(env: Env, u?: { id: string; token: string }) {
  u ??= await env.signUp();
  const { clipId, projectId } = await env.newClip(u);
  const taskId = `task-${crypto.randomUUID()}`;
  env.runway.onStart = () => ({ status: 200, body: { id: taskId } });
  const r = await call(generate(env.deps()), u.token, { clip_id: clipId });
  assertEquals(r.status, 200, "generation started");
  await r.body?.cancel();
  return { u, clipId, projectId, taskId };
}

async function clipRow(env: Env, clipId: string) {
  const [c] = await env.standin.sql`select status, error from public.clips where id = ${clipId}`;
  return c;
}

async function releases(env: Env, userId: string) {
  const [r] = await env.standin.sql`select count(*)::int as n from public.credit_transactions where user_id = ${userId} and type = 'generation_release'`;
  return r.n as number;
}

envTest("cancel-generation: a running task is cancelled at Runway and the credit comes back once", async (env) => {
  const { u, clipId, taskId } = await started(env);
  assertEquals(await env.balance(u.id), 0);
  const h = cancel(env.deps());
  const res = await call(h, u.token, { clip_id: clipId });
  const body = await res.json();
  assertEquals(res.status, 200, JSON.stringify(body));
  assertEquals([body.status, body.cancelled, body.credit_released, body.credit_balance], ["failed", true, true, 1]);
  assertMatch(body.error, /^GENERATION_CANCELLED: /);
  assertEquals(env.runway.calls("DELETE", `/v1/tasks/${taskId}`).length, 1, "Runway task cancelled");
  assertEquals((await clipRow(env, clipId)).status, "failed");

  const again = await (await call(h, u.token, { clip_id: clipId })).json();
  assertEquals([again.status, again.cancelled, again.credit_released], ["failed", false, false], "second cancel: nothing to do");
  assertEquals(env.runway.calls("DELETE", "/v1/tasks/").length, 1);
  assertEquals(await env.balance(u.id), 1);
  assertEquals(await releases(env, u.id), 1, "one refund in the ledger");
  assert(await env.ledgerOk(), "ledger invariant");
});

envTest("cancel-generation: a task that already succeeded is delivered, not refunded", async (env) => {
  const { u, clipId, taskId } = await started(env);
  env.runway.onTask = (id) => ({ status: 200, body: { id, status: "SUCCEEDED", output: [`${env.runway.url}/output/${id}.mp4`] } });
  const body = await (await call(cancel(env.deps()), u.token, { clip_id: clipId })).json();
  assertEquals([body.status, body.cancelled, body.credit_released], ["ready", false, false]);
  assertEquals(await (await fetch(body.video_url)).text(), `FAKE-MP4-${taskId}`);
  assertEquals(env.runway.calls("DELETE", "/v1/tasks/").length, 0, "nothing cancelled");
  assertEquals(await env.balance(u.id), 0, "the credit paid for the video");
});

envTest("cancel-generation: another user's clip -> 404, no token -> 401, bad body -> 400; nothing cancelled", async (env) => {
  const { clipId } = await started(env);
  const other = await env.signUp();
  const h = cancel(env.deps());
  const res = await call(h, other.token, { clip_id: clipId });
  assertEquals(res.status, 404);
  await res.body?.cancel();
  const anon = await call(h, null, { clip_id: clipId });
  assertEquals(anon.status, 401);
  await anon.body?.cancel();
  const bad = await call(h, other.token, { clip_id: "nope" });
  assertEquals(bad.status, 400);
  await bad.body?.cancel();
  assertEquals(env.runway.calls("DELETE", "/v1/tasks/").length, 0);
  assertEquals((await clipRow(env, clipId)).status, "generating");
});

envTest("cancel-generation while generate-clip is still starting: the fresh task is cancelled, one refund", async (env) => {
  const u = await env.signUp();
  const { clipId } = await env.newClip(u);
  env.runway.onStart = () => ({ status: 200, body: { id: "task-started-late" } });
  let posted!: () => void;
  const postSeen = new Promise<void>((r) => posted = r);
  let releasePost!: () => void;
  const postGate = new Promise<void>((r) => releasePost = r);
  const gatedFetch: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.endsWith("/v1/image_to_video")) {
      posted();
      await postGate;
    }
    return await fetch(input, init);
  };
  const generating = call(generate(env.deps({ fetch: gatedFetch })), u.token, { clip_id: clipId });
  await postSeen;   // reserved, Runway POST on its way
  const c = await (await call(cancel(env.deps()), u.token, { clip_id: clipId })).json();
  assertEquals([c.status, c.cancelled, c.credit_released], ["failed", true, true]);
  releasePost();
  const g = await generating;
  const gb = await g.json();
  assertEquals(g.status, 409, JSON.stringify(gb));
  assertEquals(gb.code, "cancelled");
  assertEquals(env.runway.calls("DELETE", "/v1/tasks/task-started-late").length, 1, "the late task is cancelled");
  assertEquals(await env.balance(u.id), 1);
  assertEquals(await releases(env, u.id), 1);
});

envTest("cancel-generation: Runway unreachable -> refund anyway, the cancel is queued and the sweeper does it", async (env) => {
  const { u, clipId, taskId } = await started(env);
  const failingDelete: typeof fetch = (input, init) =>
    init?.method === "DELETE" ? Promise.resolve(new Response('{"error":"down"}', { status: 500 })) : fetch(input, init);
  const body = await (await call(cancel(env.deps({ fetch: failingDelete })), u.token, { clip_id: clipId })).json();
  assertEquals([body.status, body.cancelled, body.credit_balance], ["failed", true, 1]);
  const [q] = await env.standin.sql`select done_at, reason from public.generation_cancellations where task_id = ${taskId}`;
  assert(q && q.done_at === null, "cancel queued");
  const res = await call(sweep(env.deps()), env.standin.serviceKey, { min_age_seconds: 86400 });
  const s = await res.json();
  assertEquals(res.status, 200, JSON.stringify(s));
  assert(s.cancellations.done >= 1, JSON.stringify(s));
  assertEquals(env.runway.calls("DELETE", `/v1/tasks/${taskId}`).length, 1, "the sweeper cancelled it");
  const [done] = await env.standin.sql`select done_at from public.generation_cancellations where task_id = ${taskId}`;
  assert(done.done_at !== null, "queue entry done");
  assertEquals(await env.balance(u.id), 1);
});

envTest("sweep-generations: settles succeeded, failed, deleted and abandoned generations once; running ones stay", async (env) => {
  const u = await env.signUp();
  // 5 credits for 5 generations
  const [{ r }] = await env.standin.sql`select public.grant_purchase(${"cs_sweep_" + u.id}, ${u.id}::uuid, 4, 100)::text as r`;
  assertMatch(r, /"granted": true/);
  const ok = await started(env, u);
  const running = await started(env, u);
  const failed = await started(env, u);
  const deleted = await started(env, u);
  const abandoned = await started(env, u);
  assertEquals(await env.balance(u.id), 0);
  env.runway.onTask = (id) => {
    if (id === ok.taskId) return { status: 200, body: { id, status: "SUCCEEDED", output: [`${env.runway.url}/output/${id}.mp4`] } };
    if (id === failed.taskId) return { status: 200, body: { id, status: "FAILED", failure: "Output blocked", failureCode: "SAFETY.OUTPUT.VIDEO" } };
    return { status: 200, body: { id, status: "RUNNING", progress: 0.3 } };
  };
  const del = await env.rest(u.token, "DELETE", `/rest/v1/clips?id=eq.${deleted.clipId}`);
  assertEquals(del.status, 204);
  await del.body?.cancel();
  await env.standin.sql`update public.clips set generation_started_at = now() - interval '2 hours',
    generation_deadline = now() - interval '105 minutes' where id = ${abandoned.clipId}`;

  const h = sweep(env.deps());
  const refused = await call(h, u.token, {});
  assertEquals(refused.status, 401, "a user token cannot run the sweeper");
  await refused.body?.cancel();
  const badBody = await call(h, env.standin.serviceKey, { limit: 0 });
  assertEquals(badBody.status, 400);
  await badBody.body?.cancel();

  const res = await call(h, env.standin.serviceKey, { min_age_seconds: 0, limit: 200 });
  const s = await res.json();
  assertEquals(res.status, 200, JSON.stringify(s));
  assert(s.abandoned.clip_ids.includes(abandoned.clipId), `abandoned settled: ${JSON.stringify(s)}`);
  assertEquals((await clipRow(env, ok.clipId)).status, "ready", "succeeded task delivered");
  assertEquals(new TextDecoder().decode(env.standin.storage.get(`clips/${u.id}/${ok.projectId}/${ok.clipId}.mp4`)!.bytes), `FAKE-MP4-${ok.taskId}`);
  assertEquals((await clipRow(env, running.clipId)).status, "generating", "running task left alone");
  const f = await clipRow(env, failed.clipId);
  assertEquals(f.status, "failed");
  assertMatch(f.error, /^SAFETY\.OUTPUT\.VIDEO: /);
  const a = await clipRow(env, abandoned.clipId);
  assertEquals(a.status, "failed");
  assertMatch(a.error, /^GENERATION_ABANDONED: /);
  assertEquals(env.runway.calls("DELETE", `/v1/tasks/${deleted.taskId}`).length, 1, "deleted clip's task cancelled");
  assertEquals(env.runway.calls("DELETE", `/v1/tasks/${abandoned.taskId}`).length, 1, "abandoned task cancelled");
  assertEquals(env.runway.calls("DELETE", `/v1/tasks/${running.taskId}`).length, 0);
  // failed + deleted + abandoned refunded; ok committed; running reserved
  assertEquals(await env.balance(u.id), 3);

  const again = await (await call(h, env.standin.serviceKey, { min_age_seconds: 0, limit: 200 })).json();
  assert(!again.abandoned.clip_ids.includes(abandoned.clipId), "settled once");
  assertEquals(await env.balance(u.id), 3, "no second refund");
  assertEquals(await releases(env, u.id), 3);
  assertEquals(env.runway.calls("DELETE", "/v1/tasks/").length, 2, "each task cancelled once");
  assertEquals(env.runway.calls("GET", `/v1/tasks/${ok.taskId}`).length, 1, "a delivered clip is not polled again");
  assert(await env.ledgerOk(), "ledger invariant");
});
