// tests/standin/main.ts for real: spawned as its own process on a free loopback port against the
// test database; one sign-up and one PostgREST select go through it, then it is stopped.
import { assert, assertEquals, DATABASE_URL } from "./_helpers.ts";

Deno.test({ name: "standin main.ts: starts as a process, serves sign-up + a PostgREST select, stops", sanitizeOps: false, sanitizeResources: false }, async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../standin/main.ts", import.meta.url).pathname],
    env: { DATABASE_URL, PORT: String(port), STANDIN_JWT_SECRET: "main-test-secret", RUNWAY_API_BASE: "http://127.0.0.1:9", STRIPE_API_BASE: "http://127.0.0.1:9" },
    stdin: "null", stdout: "piped", stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let out = "";
    let info: { url: string; anon_key: string } | null = null;
    const deadline = Date.now() + 30_000;
    while (!info) {
      const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), Math.max(1, deadline - Date.now())));
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === "timeout" || chunk.done) {
        child.kill("SIGKILL");
        throw new Error(`main.ts did not print its URL (${chunk === "timeout" ? "timeout" : "exited"}): ${out}\n${await stderr}`);
      }
      out += chunk.value;
      try {
        info = JSON.parse(out);
      } catch { /* not complete yet */ }
    }
    assertEquals(info.url, `http://127.0.0.1:${port}`);
    const email = `m${crypto.randomUUID().slice(0, 8)}@test.invalid`;
    const su = await fetch(`${info.url}/auth/v1/signup`, { method: "POST", headers: { apikey: info.anon_key, "Content-Type": "application/json" }, body: JSON.stringify({ email, password: "test-password" }) });
    const sess = await su.json();
    assert(su.status === 200 && sess.access_token && sess.user?.id, `signup: ${JSON.stringify(sess)}`);
    const sel = await fetch(`${info.url}/rest/v1/user_profiles?select=id,credit_balance`, { headers: { apikey: info.anon_key, Authorization: `Bearer ${sess.access_token}` } });
    assertEquals([sel.status, await sel.json()], [200, [{ id: sess.user.id, credit_balance: 1 }]], "signup trigger ran, RLS shows only the caller's profile");
    const anon = await fetch(`${info.url}/rest/v1/projects`, { headers: { apikey: info.anon_key } });
    assertEquals(anon.status, 401, "anon key has no grant");
    await anon.body?.cancel();
    const fn = await fetch(`${info.url}/functions/v1/generate-clip`, { method: "POST", body: "{}" });
    assertEquals(fn.status, 401, "functions are mounted with verify_jwt");
    await fn.body?.cancel();
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await reader.cancel().catch(() => {});
    await stderr.catch(() => "");
  }
  // the port is free again once the process is gone
  const again = Deno.listen({ hostname: "127.0.0.1", port });
  again.close();
});
