// tests/standin/fakes.ts against the real `stripe` npm package (on loopback only): sessions created and read back
// through the SDK, and webhook signatures the SDK's own verifier accepts.
import Stripe from "npm:stripe@17.7.0";
import { FakeRunway, FakeStripe, parseStripeForm } from "../standin/fakes.ts";
import { assert, assertEquals } from "./_helpers.ts";

Deno.test({ name: "fake Stripe: the real stripe package creates and reads sessions; its webhook verifier accepts the fake's signatures", sanitizeOps: false, sanitizeResources: false }, async () => {
  const f = FakeStripe.start();
  const hook = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    received.push({ sig: req.headers.get("Stripe-Signature") ?? "", body: await req.text() });
    return new Response("{}", { status: 200 });
  });
  const received: { sig: string; body: string }[] = [];
  try {
    f.webhookSecret = "whsec_fake_test";
    f.webhookUrl = `http://127.0.0.1:${hook.addr.port}/hook`;
    const u = new URL(f.url);
    const stripe = new Stripe("sk_test_fake", { host: u.hostname, port: Number(u.port), protocol: "http", httpClient: Stripe.createFetchHttpClient(), maxNetworkRetries: 0 });
    const cs = await stripe.checkout.sessions.create({
      mode: "payment", client_reference_id: "user-1", metadata: { credits: "50", pack_id: "pack_50" },
      line_items: [{ price_data: { currency: "eur", unit_amount: 1999, product_data: { name: "50 credits" } }, quantity: 2 }],
      success_url: "https://echoes.invalid/ok?session_id={CHECKOUT_SESSION_ID}", cancel_url: "https://echoes.invalid/no",
    });
    assertEquals([cs.status, cs.payment_status, cs.amount_total, cs.currency, cs.metadata?.credits], ["open", "unpaid", 3998, "eur", "50"]);
    assert(cs.url?.startsWith(`${f.url}/c/pay/${cs.id}`), String(cs.url));
    const missing = await stripe.checkout.sessions.retrieve("cs_test_nope").then(() => null, (e) => e);
    assertEquals([missing?.statusCode, missing?.code], [404, "resource_missing"]);

    const page = await fetch(cs.url!);
    assert((await page.text()).includes("<button>Pay</button>"), "a checkout page with a Pay button");
    const pay = await fetch(`${f.url}/_test/checkout/${cs.id}/pay`, { method: "POST" });
    assertEquals([pay.status, (await pay.json()).webhook_status], [200, 200]);
    assertEquals(received.length, 1);
    const ev = await stripe.webhooks.constructEventAsync(received[0].body, received[0].sig, "whsec_fake_test");
    assertEquals([ev.type, (ev.data.object as Stripe.Checkout.Session).id, (ev.data.object as Stripe.Checkout.Session).payment_status], ["checkout.session.completed", cs.id, "paid"]);
    const forged = await stripe.webhooks.constructEventAsync(received[0].body, received[0].sig, "whsec_other").then(() => "accepted", () => "refused");
    assertEquals(forged, "refused", "another secret does not verify");
    assertEquals((await stripe.checkout.sessions.retrieve(cs.id)).status, "complete");
    await (await fetch(`${f.url}/_test/checkout/${cs.id}/pay`, { method: "POST" })).body?.cancel();
    assertEquals(received.length, 1, "paying twice delivers once");
  } finally {
    await hook.shutdown();
    await f.server.close();
  }
});

Deno.test("fake Stripe: form bodies decode to nested objects and arrays", () => {
  assertEquals(parseStripeForm("a=1&m[k]=v&li[0][p][x]=2&li[1][q]=3"), { a: "1", m: { k: "v" }, li: [{ p: { x: "2" } }, { q: "3" }] });
});

Deno.test({ name: "fake Runway: succeedAfter finishes a task only once its time has come", sanitizeOps: false, sanitizeResources: false }, async () => {
  const r = FakeRunway.start().succeedAfter(60_000);
  try {
    const t = await (await fetch(`${r.url}/v1/tasks/abc`)).json();
    assertEquals([t.status, t.progress], ["RUNNING", 0]);
    assert(Math.abs(Date.parse(t.createdAt) - Date.now()) < 5000, "createdAt is the first poll's time for a task it did not start");
    r.created.set("abc", Date.now() - 45_000);
    const later = await (await fetch(`${r.url}/v1/tasks/abc`)).json();
    assertEquals([later.status, later.progress], ["RUNNING", 0.75], "progress grows with the task's age");
    r.progressStepMs = 20_000;
    const stepped = await (await fetch(`${r.url}/v1/tasks/abc`)).json();
    assertEquals(stepped.progress, 0.66, "in 20 s steps: 40 of 60 s");
    r.progressStepMs = 0;
    r.succeedAfter(0);
    const done = await (await fetch(`${r.url}/v1/tasks/abc`)).json();
    assertEquals([done.status, done.output], ["SUCCEEDED", [`${r.url}/output/abc.mp4`]]);
    const stats = await (await fetch(`${r.url}/_test/stats`)).json();
    assert(Math.abs(stats.tasks.abc.finished_at - Date.now()) < 5000, "the time it first reported SUCCEEDED");
    assert(Math.abs(stats.tasks.abc.created_at + 45_000 - Date.now()) < 5000, "the time it was started");
    const started = await (await fetch(`${r.url}/v1/image_to_video`, { method: "POST", body: JSON.stringify({ promptImage: "http://x/images/u/p/c.jpg?token=secret" }) })).json();
    const after = await (await fetch(`${r.url}/_test/stats`)).json();
    assertEquals([after.tasks[started.id].image, after.tasks[started.id].finished_at], ["http://x/images/u/p/c.jpg", null]);
    const mp4 = await fetch(done.output[0]);
    assertEquals([mp4.status, mp4.headers.get("Content-Type"), await mp4.text()], [200, "video/mp4", "FAKE-MP4-abc"]);
  } finally {
    await r.server.close();
  }
});
