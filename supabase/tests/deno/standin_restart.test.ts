// `tests/standin/main.ts --with-fakes --data-dir DIR` as its own process: a whole local backend. A user signs up with
// supabase-js, buys credits (create-checkout → the fake Stripe, read back with the real `stripe` package, paid through
// its test endpoint → a signed webhook → stripe-webhook → credits), stores an object and half a TUS upload; then the
// process is stopped and started again on the same data dir: the session, the refresh token, the object and the
// unfinished upload are all still there.
import { createClient } from "npm:@supabase/supabase-js@2.119.1";
import Stripe from "npm:stripe@17.7.0";
import { TUS_CHUNK } from "../standin/standin.ts";
import { assert, assertEquals, DATABASE_URL } from "./_helpers.ts";

type Info = { url: string; anon_key: string; data_dir: string; runway_url?: string; stripe_url?: string };

/** Spawns main.ts with args on a port; resolves once it printed its JSON. */
async function spawnMain(port: number, args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../standin/main.ts", import.meta.url).pathname, ...args],
    env: { DATABASE_URL, PORT: String(port), STANDIN_JWT_SECRET: "restart-test-secret" },
    stdin: "null", stdout: "piped", stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  let info: Info | null = null;
  const deadline = Date.now() + 30_000;
  while (!info) {
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), Math.max(1, deadline - Date.now())));
    const chunk = await Promise.race([reader.read(), timeout]);
    if (chunk === "timeout" || chunk.done) {
      child.kill("SIGKILL");
      throw new Error(`main.ts did not print its URL: ${out}\n${await stderr}`);
    }
    out += chunk.value;
    try {
      info = JSON.parse(out);
    } catch { /* not complete yet */ }
  }
  return {
    info,
    async stop() {
      child.kill("SIGTERM");
      const st = await child.status;
      await reader.cancel().catch(() => {});
      await stderr.catch(() => "");
      return st;
    },
  };
}

Deno.test({ name: "standin main.ts --with-fakes --data-dir: checkout paid via signed webhook; session, objects and TUS uploads survive a restart", sanitizeOps: false, sanitizeResources: false }, async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const dir = await Deno.makeTempDir({ prefix: "echoes-standin-restart-" });
  let run = await spawnMain(port, ["--with-fakes", "--data-dir", dir, "--info-file", `${dir}/info.json`]);
  try {
    const info = run.info;
    assertEquals([info.url, info.data_dir], [`http://127.0.0.1:${port}`, dir]);
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/info.json`)), info, "--info-file holds the printed JSON");
    assert(info.stripe_url && info.runway_url, "fakes started");
    const noSession = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } };
    const sb = createClient(info.url, info.anon_key, noSession);
    const email = `r${crypto.randomUUID().slice(0, 8)}@test.invalid`;
    const { data: { session }, error } = await sb.auth.signUp({ email, password: "test-password" });
    assert(!error && session, `signUp: ${error?.message}`);
    const asUser = createClient(info.url, info.anon_key, { ...noSession, global: { headers: { Authorization: `Bearer ${session.access_token}` } } });

    // buy 10 credits
    const co = await asUser.functions.invoke("create-checkout", { body: { pack_id: "pack_10" } });
    assert(!co.error, `create-checkout: ${co.error?.message}`);
    assert(String(co.data.url).startsWith(`${info.stripe_url}/c/pay/`), co.data.url);
    const stripeUrl = new URL(info.stripe_url!);
    const stripe = new Stripe("sk_test_fake", { host: stripeUrl.hostname, port: Number(stripeUrl.port), protocol: "http", httpClient: Stripe.createFetchHttpClient(), maxNetworkRetries: 0 });
    const open = await stripe.checkout.sessions.retrieve(co.data.session_id);
    assertEquals([open.status, open.payment_status, open.amount_total, open.client_reference_id, open.metadata?.credits], ["open", "unpaid", 499, session.user.id, "10"]);
    const pay = await fetch(`${info.stripe_url}/_test/checkout/${co.data.session_id}/pay`, { method: "POST" });
    assertEquals([pay.status, (await pay.json()).webhook_status], [200, 200], "the signed webhook was accepted");
    const paid = await stripe.checkout.sessions.retrieve(co.data.session_id);
    assertEquals([paid.status, paid.payment_status], ["complete", "paid"]);
    const bal = await asUser.from("user_profiles").select("credit_balance").single();
    assertEquals(bal.data?.credit_balance, 11, "1 free + 10 bought");

    // an object and half a TUS upload
    const obj = new Uint8Array(3000).map((_, i) => i % 253);
    const path = `${session.user.id}/p/kept.png`;
    const up = await asUser.storage.from("images").upload(path, new Blob([obj], { type: "image/png" }));
    assertEquals(up.error, null);
    const auth = { apikey: info.anon_key, Authorization: `Bearer ${session.access_token}` };
    const big = new Uint8Array(TUS_CHUNK + 100).map((_, i) => (i * 13) % 256);
    const create = await fetch(`${info.url}/storage/v1/upload/resumable`, { method: "POST", headers: { ...auth, "Tus-Resumable": "1.0.0", "Upload-Length": String(big.length),
      "Upload-Metadata": `bucketName ${btoa("images")},objectName ${btoa(`${session.user.id}/p/tus.png`)},contentType ${btoa("image/png")}`,
      "Content-Type": "application/offset+octet-stream" }, body: big.slice(0, TUS_CHUNK) });
    assertEquals([create.status, create.headers.get("Upload-Offset")], [201, String(TUS_CHUNK)]);
    const loc = create.headers.get("Location")!;

    const st = await run.stop();
    assertEquals(st.code, 0, "stops cleanly on SIGTERM");
    run = await spawnMain(port, ["--with-fakes", "--data-dir", dir]);

    const me = await sb.auth.getUser(session.access_token);
    assertEquals(me.data.user?.email, email, "the session survived the restart");
    const refreshed = await sb.auth.refreshSession({ refresh_token: session.refresh_token });
    assert(!refreshed.error && refreshed.data.session?.refresh_token !== session.refresh_token, `refresh after restart: ${refreshed.error?.message}`);
    const dl = await asUser.storage.from("images").download(path);
    assertEquals([...new Uint8Array(await dl.data!.arrayBuffer())], [...obj], "the object survived the restart");
    const head = await fetch(loc, { method: "HEAD", headers: { ...auth, "Tus-Resumable": "1.0.0" } });
    assertEquals([head.status, head.headers.get("Upload-Offset")], [200, String(TUS_CHUNK)], "the unfinished upload survived the restart");
    const rest = await fetch(loc, { method: "PATCH", headers: { ...auth, "Tus-Resumable": "1.0.0", "Upload-Offset": String(TUS_CHUNK), "Content-Type": "application/offset+octet-stream" }, body: big.slice(TUS_CHUNK) });
    assertEquals([rest.status, rest.headers.get("Upload-Offset")], [204, String(big.length)]);
    await rest.body?.cancel();
    const whole = await fetch(`${info.url}/storage/v1/object/images/${session.user.id}/p/tus.png`, { headers: auth });
    const got = new Uint8Array(await whole.arrayBuffer());
    assert(got.length === big.length && got.every((b, i) => b === big[i]), "resumed upload intact");
  } finally {
    await run.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
