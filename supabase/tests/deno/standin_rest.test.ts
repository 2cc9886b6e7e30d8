// Stand-in PostgREST niceties: Prefer count=exact + Content-Range (206/416), Range header,
// limit/offset, or=/and=/not.or= trees, upsert via on_conflict + Prefer resolution=…, all under RLS.
import { assertEquals, envTest } from "./_helpers.ts";

envTest("standin rest: count=exact, Content-Range, Range/limit/offset, or/and trees, upsert — under RLS", async (env) => {
  const a = await env.signUp();
  const b = await env.signUp();
  const ins = await env.rest(a.token, "POST", "/rest/v1/projects", ["p0", "p1", "p2", "p3", "p4"].map((title) => ({ title })), { Prefer: "return=representation" });
  assertEquals(ins.status, 201);
  const rows = (await ins.json()) as { id: string; title: string }[];
  const ids = Object.fromEntries(rows.map((r) => [r.title, r.id]));
  const get = async (tok: string, q: string, headers: Record<string, string> = {}) => {
    const r = await env.rest(tok, "GET", `/rest/v1/projects?select=title&order=title.asc${q}`, undefined, headers);
    const body = await r.json();
    return { status: r.status, range: r.headers.get("Content-Range"), titles: Array.isArray(body) ? body.map((x: { title: string }) => x.title) : body };
  };

  assertEquals(await get(a.token, ""), { status: 200, range: "0-4/*", titles: ["p0", "p1", "p2", "p3", "p4"] });
  assertEquals(await get(a.token, "&limit=2", { Prefer: "count=exact" }), { status: 206, range: "0-1/5", titles: ["p0", "p1"] });
  assertEquals(await get(a.token, "&limit=2&offset=4", { Prefer: "count=exact" }), { status: 206, range: "4-4/5", titles: ["p4"] });
  assertEquals(await get(a.token, "", { Prefer: "count=exact" }), { status: 200, range: "0-4/5", titles: ["p0", "p1", "p2", "p3", "p4"] });
  assertEquals(await get(a.token, "", { Range: "2-3", "Range-Unit": "items" }), { status: 200, range: "2-3/*", titles: ["p2", "p3"] });
  assertEquals(await get(a.token, "", { Range: "3-10", Prefer: "count=exact" }), { status: 206, range: "3-4/5", titles: ["p3", "p4"] });
  assertEquals(await get(a.token, "", { Range: "1-" }), { status: 200, range: "1-4/*", titles: ["p1", "p2", "p3", "p4"] });
  const past = await get(a.token, "&offset=9", { Prefer: "count=exact" });
  assertEquals([past.status, past.range, past.titles.code], [416, "*/5", "PGRST103"]);
  assertEquals((await get(a.token, "", { Range: "5-2" })).status, 416, "inverted range");
  assertEquals(await get(b.token, "", { Prefer: "count=exact" }), { status: 200, range: "*/0", titles: [] }, "count obeys RLS");
  const headOnly = await env.rest(a.token, "HEAD", "/rest/v1/projects?title=like.p*", undefined, { Prefer: "count=exact" });
  assertEquals([headOnly.status, headOnly.headers.get("Content-Range")], [200, "0-4/5"]);
  await headOnly.body?.cancel();

  // logic trees
  assertEquals((await get(a.token, "&or=(title.eq.p1,title.eq.p3)")).titles, ["p1", "p3"]);
  assertEquals((await get(a.token, "&or=(title.eq.p0,and(title.gte.p3,title.lt.p4))")).titles, ["p0", "p3"]);
  assertEquals((await get(a.token, "&not.or=(title.eq.p0,title.eq.p1)")).titles, ["p2", "p3", "p4"]);
  assertEquals((await get(a.token, "&and=(title.neq.p0,or(title.in.(p1,p4),title.is.null))")).titles, ["p1", "p4"]);
  assertEquals((await get(a.token, "&or=(title.eq.p1,title.eq.p3)&title=neq.p3")).titles, ["p1"], "trees AND with plain filters");
  assertEquals((await get(b.token, "&or=(title.eq.p1,title.eq.p3)")).titles, [], "trees obey RLS");
  const comma = await env.rest(a.token, "POST", "/rest/v1/projects", { title: "x,y (z)" });
  assertEquals(comma.status, 201);
  assertEquals((await get(a.token, `&or=(title.eq.${encodeURIComponent('"x,y (z)"')},title.eq.p4)`)).titles, ["p4", "x,y (z)"], "quoted values");
  assertEquals((await get(a.token, "&or=(title.eq.p1,title.eq.p3")).status, 400, "unbalanced");
  assertEquals((await get(a.token, "&or=(title.eq.p1,bad%20col.eq.p3)")).status, 400, "identifiers are validated");
  assertEquals((await get(a.token, "&or=(title.zz.p1)")).status, 400, "unknown operator");

  // upsert
  const fresh = crypto.randomUUID();
  const dup = await env.rest(a.token, "POST", "/rest/v1/projects", { id: ids.p0, title: "again" });
  assertEquals(dup.status, 409, "plain insert of an existing id");
  await dup.body?.cancel();
  const up = await env.rest(a.token, "POST", "/rest/v1/projects", [{ id: ids.p0, title: "P0 merged" }, { id: fresh, title: "p9" }],
    { Prefer: "return=representation,resolution=merge-duplicates" });
  assertEquals(up.status, 201);
  assertEquals(((await up.json()) as { title: string }[]).map((r) => r.title).sort(), ["P0 merged", "p9"]);
  const ign = await env.rest(a.token, "POST", "/rest/v1/projects?on_conflict=id", [{ id: ids.p1, title: "ignored" }, { id: crypto.randomUUID(), title: "p8" }],
    { Prefer: "resolution=ignore-duplicates, return=representation" });
  assertEquals(((await ign.json()) as { title: string }[]).map((r) => r.title), ["p8"], "ignore-duplicates returns only new rows");
  const merged = await env.rest(a.token, "POST", "/rest/v1/projects?on_conflict=id", { id: ids.p2, title: "P2 merged" }, { Prefer: "resolution=merge-duplicates" });
  assertEquals(merged.status, 201);
  await merged.body?.cancel();
  assertEquals((await get(a.token, "&title=neq.x,y (z)", { Prefer: "count=exact" })).titles, ["P0 merged", "P2 merged", "p1", "p3", "p4", "p8", "p9"]);
  const steal = await env.rest(b.token, "POST", "/rest/v1/projects", { id: ids.p3, title: "pwned" }, { Prefer: "resolution=merge-duplicates" });
  assertEquals(steal.status, 403, "upsert onto another user's row is refused by RLS");
  await steal.body?.cancel();
  assertEquals((await get(a.token, `&id=eq.${ids.p3}`)).titles, ["p3"]);
  const badTarget = await env.rest(a.token, "POST", "/rest/v1/projects?on_conflict=title", { title: "p4" }, { Prefer: "resolution=merge-duplicates" });
  assertEquals(badTarget.status, 400, "on_conflict needs a unique set (42P10)");
  await badTarget.body?.cancel();
});
