// Stand-in fidelity: timestamps keep their microseconds both ways, as with PostgREST, so a filter on
// the exact `updated_at` a read returned matches that row (and a microsecond off does not).
import { assert, assertEquals, envTest } from "./_helpers.ts";

envTest("standin rest: timestamptz filters compare at microsecond precision", async (env) => {
  const a = await env.signUp();
  const ins = await env.rest(a.token, "POST", "/rest/v1/projects", { title: "micro" }, { Prefer: "return=representation" });
  assertEquals(ins.status, 201);
  const [row] = (await ins.json()) as { id: string; updated_at: string }[];
  // a time with non-zero microseconds whatever the clock, set past the updated_at trigger
  await env.standin.sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`update public.projects set updated_at = '2026-01-02 03:04:05.123456+00' where id = ${row.id}`;
  });

  const read = await env.rest(a.token, "GET", `/rest/v1/projects?select=id,updated_at&id=eq.${row.id}`);
  const [got] = (await read.json()) as { id: string; updated_at: string }[];
  assertEquals(got.updated_at, "2026-01-02T03:04:05.123456+00:00", "microseconds are returned");

  const count = async (filter: string) => {
    const r = await env.rest(a.token, "GET", `/rest/v1/projects?select=id&id=eq.${row.id}&${filter}`);
    return ((await r.json()) as unknown[]).length;
  };
  assertEquals(await count(`updated_at=eq.${encodeURIComponent(got.updated_at)}`), 1, "eq on the returned value");
  assertEquals(await count("updated_at=eq.2026-01-02T03:04:05.123456Z"), 1, "eq with Z");
  assertEquals(await count("updated_at=eq.2026-01-02T03:04:05.123457Z"), 0, "a microsecond later is another time");
  assertEquals(await count("updated_at=eq.2026-01-02T03:04:05.123Z"), 0, "the millisecond is not the time");
  assertEquals(await count("updated_at=gt.2026-01-02T03:04:05.123455Z"), 1, "gt a microsecond before");
  assertEquals(await count("updated_at=gt.2026-01-02T03:04:05.123456Z"), 0, "not gt itself");
  assertEquals(await count("updated_at=gte.2026-01-02T03:04:05.123456Z"), 1, "gte itself");
  assertEquals(await count("updated_at=lt.2026-01-02T03:04:05.123457Z"), 1, "lt a microsecond after");
  assertEquals(await count("updated_at=in.(2026-01-02T03:04:05.123456Z)"), 1, "in");

  // a conditional PATCH on the exact time (what the sync adapter sends) applies once
  const patch = await env.rest(a.token, "PATCH",
    `/rest/v1/projects?id=eq.${row.id}&updated_at=eq.2026-01-02T03:04:05.123456Z`, { title: "changed" },
    { Prefer: "return=representation" });
  const patched = (await patch.json()) as { title: string; updated_at: string }[];
  assertEquals(patched.map((p) => p.title), ["changed"], "the conditional update matched");
  assert(patched[0].updated_at !== got.updated_at, "the trigger moved updated_at");
  const again = await env.rest(a.token, "PATCH",
    `/rest/v1/projects?id=eq.${row.id}&updated_at=eq.2026-01-02T03:04:05.123456Z`, { title: "again" },
    { Prefer: "return=representation" });
  assertEquals(await again.json(), [], "a second one with the old time matches nothing");

  // a conditional DELETE likewise, with the time a read returned
  const now = (await (await env.rest(a.token, "GET", `/rest/v1/projects?select=updated_at&id=eq.${row.id}`)).json())[0].updated_at;
  const del = await env.rest(a.token, "DELETE", `/rest/v1/projects?id=eq.${row.id}&updated_at=eq.${encodeURIComponent(now)}`,
    undefined, { Prefer: "return=representation" });
  assertEquals(((await del.json()) as unknown[]).length, 1, "the conditional delete matched");
});
