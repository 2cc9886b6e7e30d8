// The supabase-js habits of issue-free clients, over PostgREST (the stand-in on the real PostgreSQL):
// clips into another user's project get the same 403 whatever the order, batches of clips carry their
// orders in any array order, projects are inserted/upserted with the caller's own user_id.
import { assertEquals, envTest } from "./_helpers.ts";

envTest("rest: a clip into another user's project -> the same 403 for every order, nothing revealed", async (env) => {
  const a = await env.signUp();
  const b = await env.signUp();
  const { projectId } = await env.newClip(a);
  const bodies: string[] = [];
  for (const order of [undefined, 0, 1, 2, 57, -1]) {
    const res = await env.rest(b.token, "POST", "/rest/v1/clips",
      { project_id: projectId, image_url: `${b.id}/x.jpg`, ...(order === undefined ? {} : { order }) });
    assertEquals(res.status, 403, `order ${order}`);
    const body = await res.json();
    assertEquals(body.code, "42501", `order ${order}`);
    bodies.push(JSON.stringify(body));
  }
  assertEquals(new Set(bodies).size, 1, `one and the same refusal: ${[...new Set(bodies)].join(" | ")}`);
  const [n] = await env.standin.sql`select count(*)::int as n from public.clips where project_id = ${projectId}`;
  assertEquals(n.n, 1, "A's project unchanged");
});

envTest("rest: one POST of clips with orders [2,0,1] succeeds and lands as 0,1,2", async (env) => {
  const u = await env.signUp();
  const p = await env.rest(u.token, "POST", "/rest/v1/projects", { title: "batch", user_id: u.id }, { Prefer: "return=representation" });
  assertEquals(p.status, 201, "project with the caller's own user_id");
  const [project] = await p.json();
  assertEquals(project.user_id, u.id);
  const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const res = await env.rest(u.token, "POST", "/rest/v1/clips", [
    { id: ids[2], project_id: project.id, image_url: `${u.id}/${project.id}/2.jpg`, order: 2 },
    { id: ids[0], project_id: project.id, image_url: `${u.id}/${project.id}/0.jpg`, order: 0 },
    { id: ids[1], project_id: project.id, image_url: `${u.id}/${project.id}/1.jpg`, order: 1 },
  ], { Prefer: "return=representation" });
  assertEquals(res.status, 201, await res.clone().text());
  await res.body?.cancel();
  const rows = await (await env.rest(u.token, "GET", `/rest/v1/clips?select=id,order&project_id=eq.${project.id}&order=order.asc`)).json();
  assertEquals(rows, ids.map((id, order) => ({ id, order })));
});

envTest("rest: projects with another user's user_id are refused, upsert with one's own works", async (env) => {
  const a = await env.signUp();
  const b = await env.signUp();
  const theirs = await env.rest(a.token, "POST", "/rest/v1/projects", { title: "x", user_id: b.id });
  assertEquals(theirs.status, 403);
  await theirs.body?.cancel();
  const id = crypto.randomUUID();
  const first = await env.rest(a.token, "POST", "/rest/v1/projects", { id, title: "v1", user_id: a.id },
    { Prefer: "resolution=merge-duplicates,return=representation" });
  assertEquals(first.status, 201, await first.clone().text());
  await first.body?.cancel();
  const second = await env.rest(a.token, "POST", "/rest/v1/projects", { id, title: "v2", user_id: a.id },
    { Prefer: "resolution=merge-duplicates,return=representation" });
  assertEquals(second.status, 201, await second.clone().text());
  assertEquals((await second.json())[0].title, "v2");
  const steal = await env.rest(b.token, "POST", "/rest/v1/projects", { id, title: "mine now", user_id: b.id },
    { Prefer: "resolution=merge-duplicates" });
  assertEquals(steal.status, 403);
  await steal.body?.cancel();
  const [p] = await env.standin.sql`select title, user_id from public.projects where id = ${id}`;
  assertEquals([p.title, p.user_id], ["v2", a.id]);
});
