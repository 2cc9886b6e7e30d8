import { createHandler as checkout } from "../../functions/create-checkout/handler.ts";
import { createHandler as webhook } from "../../functions/stripe-webhook/handler.ts";
import { verifyStripeSignature } from "../../functions/_shared/stripe.ts";
import { assert, assertEquals, assertMatch, call, envTest, FAKE_STRIPE_KEY, stripeSignature, WEBHOOK_SECRET } from "./_helpers.ts";

function event(type: string, session: Record<string, unknown>) {
  return JSON.stringify({ id: `evt_${crypto.randomUUID().slice(0, 8)}`, object: "event", type, created: Math.floor(Date.now() / 1000),
    livemode: false, data: { object: { object: "checkout.session", ...session } } });
}
async function deliver(h: (r: Request) => Promise<Response>, payload: string, sig?: string) {
  return await h(new Request("http://functions.invalid/stripe-webhook", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(sig === undefined ? { "Stripe-Signature": await stripeSignature(payload) } : sig ? { "Stripe-Signature": sig } : {}) },
    body: payload,
  }));
}

envTest("create-checkout: creates a session for a server-defined pack and records a pending payment", async (env) => {
  const u = await env.signUp();
  const res = await call(checkout(env.deps()), u.token, { pack_id: "pack_50", amount_cents: 1 });
  const body = await res.json();
  assertEquals(res.status, 200, JSON.stringify(body));
  assertMatch(body.url, new RegExp(`^${env.stripe.url}/c/pay/cs_test_`));
  const [req] = env.stripe.server.calls;
  assertEquals(req.headers.get("authorization"), `Bearer ${FAKE_STRIPE_KEY}`);
  assert(req.headers.get("idempotency-key"), "idempotency key sent");
  const form = new URLSearchParams(req.body);
  assertEquals(form.get("line_items[0][price_data][unit_amount]"), "1999", "server price, not the client's");
  assertEquals([form.get("mode"), form.get("client_reference_id"), form.get("metadata[credits]")], ["payment", u.id, "50"]);
  const [pay] = await env.standin.sql`select status, credits_purchased, amount_cents, user_id from public.payments where stripe_session_id = ${body.session_id}`;
  assertEquals([pay.status, pay.credits_purchased, pay.amount_cents, pay.user_id], ["pending", 50, 1999, u.id]);
  // the user sees the pending payment through RLS
  const mine = await (await env.rest(u.token, "GET", "/rest/v1/payments?select=stripe_session_id,status")).json();
  assertEquals(mine, [{ stripe_session_id: body.session_id, status: "pending" }]);
});

envTest("create-checkout: unknown pack -> 400, malformed JSON -> 400, no token -> 401, Stripe 500 retried with the same key", async (env) => {
  const u = await env.signUp();
  const h = checkout(env.deps());
  const unknown = await call(h, u.token, { pack_id: "pack_free" });
  assertEquals(unknown.status, 400);
  assertMatch((await unknown.json()).error, /unknown pack_id/);
  const bad = await call(h, u.token, "{");
  assertEquals(bad.status, 400);
  await bad.body?.cancel();
  const anon = await call(h, null, { pack_id: "pack_10" });
  assertEquals(anon.status, 401);
  await anon.body?.cancel();
  const base = env.stripe.onCreate;
  env.stripe.onCreate = (nth, form) => nth === 1 ? { status: 500, body: { error: { type: "api_error" } } } : base(nth, form);
  const ok = await call(h, u.token, { pack_id: "pack_10" });
  assertEquals(ok.status, 200);
  await ok.body?.cancel();
  const keys = env.stripe.server.calls.map((c) => c.headers.get("idempotency-key"));
  assertEquals(keys.length, 2);
  assertEquals(keys[0], keys[1], "retry reuses the idempotency key");
});

envTest("stripe-webhook: completed grants once even when delivered 10 times (also concurrently)", async (env) => {
  const u = await env.signUp();
  const co = await (await call(checkout(env.deps()), u.token, { pack_id: "pack_10" })).json();
  const h = webhook(env.deps());
  const payload = event("checkout.session.completed", { id: co.session_id, payment_status: "paid", status: "complete",
    client_reference_id: u.id, amount_total: 499, metadata: { user_id: u.id, pack_id: "pack_10", credits: "10" } });
  const first = await deliver(h, payload);
  assertEquals(first.status, 200);
  assertEquals((await first.json()).granted, true);
  const results = await Promise.all(Array.from({ length: 9 }, () => deliver(h, payload)));
  for (const r of results) {
    assertEquals(r.status, 200);
    assertEquals((await r.json()).granted, false);
  }
  // async_payment_succeeded for the same session does not grant again either
  const again = await deliver(h, event("checkout.session.async_payment_succeeded", { id: co.session_id, payment_status: "paid", client_reference_id: u.id }));
  assertEquals((await again.json()).granted, false);
  assertEquals(await env.balance(u.id), 11, "1 free + 10 purchased, once");
  const [n] = await env.standin.sql`select count(*)::int as n from public.credit_transactions where reference_id = ${co.session_id}`;
  assertEquals(n.n, 1);
  // a late "expired" never downgrades a paid session
  const exp = await deliver(h, event("checkout.session.expired", { id: co.session_id }));
  assertEquals((await exp.json()).updated, false);
  const [p] = await env.standin.sql`select status from public.payments where stripe_session_id = ${co.session_id}`;
  assertEquals(p.status, "paid");
  assert(await env.ledgerOk(), "ledger invariant");
});

envTest("stripe-webhook: bad, missing, replayed (old) signatures and malformed JSON are rejected", async (env) => {
  const u = await env.signUp();
  const co = await (await call(checkout(env.deps()), u.token, { pack_id: "pack_10" })).json();
  const h = webhook(env.deps());
  const payload = event("checkout.session.completed", { id: co.session_id, payment_status: "paid", client_reference_id: u.id,
    amount_total: 499, metadata: { credits: "10" } });
  const wrongSecret = await deliver(h, payload, await stripeSignature(payload, "whsec_other"));
  assertEquals(wrongSecret.status, 400);
  assertMatch((await wrongSecret.json()).error, /signature mismatch/);
  const missing = await deliver(h, payload, "");
  assertEquals(missing.status, 400);
  await missing.body?.cancel();
  const old = Math.floor(Date.now() / 1000) - 600;
  const replay = await deliver(h, payload, await stripeSignature(payload, WEBHOOK_SECRET, old));
  assertEquals(replay.status, 400);
  assertMatch((await replay.json()).error, /tolerance/);
  const tampered = await deliver(h, payload.replace('"10"', '"1000"'), await stripeSignature(payload));
  assertEquals(tampered.status, 400);
  await tampered.body?.cancel();
  const garbage = "{not json";
  const malformed = await deliver(h, garbage);
  assertEquals(malformed.status, 400);
  assertEquals((await malformed.json()).error, "malformed JSON body");
  assertEquals(await env.balance(u.id), 1, "nothing granted");
});

envTest("stripe-webhook: async payments (unpaid -> succeeded), failures and expiry", async (env) => {
  const u = await env.signUp();
  const h = webhook(env.deps());
  const mk = async () => (await (await call(checkout(env.deps()), u.token, { pack_id: "pack_10" })).json()).session_id as string;
  const s1 = await mk(), s2 = await mk(), s3 = await mk();
  const pending = await deliver(h, event("checkout.session.completed", { id: s1, payment_status: "unpaid", client_reference_id: u.id }));
  assertEquals((await pending.json()).awaiting_async_payment, true);
  assertEquals(await env.balance(u.id), 1, "no credits while unpaid");
  const ok = await deliver(h, event("checkout.session.async_payment_succeeded", { id: s1, payment_status: "paid", client_reference_id: u.id }));
  assertEquals((await ok.json()).granted, true);
  const failed = await deliver(h, event("checkout.session.async_payment_failed", { id: s2 }));
  assertEquals((await failed.json()).updated, true);
  const expired = await deliver(h, event("checkout.session.expired", { id: s3 }));
  assertEquals((await expired.json()).updated, true);
  const rows = await env.standin.sql`select stripe_session_id, status from public.payments where user_id = ${u.id}`;
  const st = Object.fromEntries(rows.map((r) => [r.stripe_session_id, r.status]));
  assertEquals([st[s1], st[s2], st[s3]], ["paid", "failed", "expired"]);
  assertEquals(await env.balance(u.id), 11);
  const other = await deliver(h, event("customer.created", { id: "cus_1" }));
  assertEquals(other.status, 200);
  await other.body?.cancel();
});

Deno.test("stripe signature: accepts any matching v1 among several, rejects v0-only", async () => {
  const body = '{"a":1}';
  const t = 1700000000;
  const good = (await stripeSignature(body, "whsec_test", t)).split(",")[1];
  const now = t * 1000;
  assertEquals(await verifyStripeSignature(body, `t=${t},v1=deadbeef,${good}`, "whsec_test", now), null);
  assertEquals(await verifyStripeSignature(body, `t=${t},${good.replace("v1", "v0")}`, "whsec_test", now), "signature has no v1 entry");
  assertEquals(await verifyStripeSignature(body, `t=${t},${good}`, "whsec_test", now + 301_000), "signature timestamp outside tolerance");
});

envTest("stripe-webhook: charge.refunded delivered 3 times takes the credits back once (ledger purchase_refund)", async (env) => {
  const u = await env.signUp();
  const co = await (await call(checkout(env.deps()), u.token, { pack_id: "pack_10" })).json();
  const h = webhook(env.deps());
  const pi = `pi_${crypto.randomUUID().replace(/-/g, "").slice(0, 14)}`;
  const paid = await deliver(h, event("checkout.session.completed", { id: co.session_id, payment_status: "paid", payment_intent: pi,
    client_reference_id: u.id, amount_total: 499, metadata: { user_id: u.id, pack_id: "pack_10", credits: "10" } }));
  assertEquals((await paid.json()).granted, true);
  assertEquals(await env.balance(u.id), 11);

  const refund = JSON.stringify({ id: `evt_${crypto.randomUUID().slice(0, 8)}`, object: "event", type: "charge.refunded",
    created: Math.floor(Date.now() / 1000), livemode: false,
    data: { object: { id: "ch_1", object: "charge", amount: 499, amount_captured: 499, amount_refunded: 499, refunded: true, payment_intent: pi } } });
  const replies = [];
  for (let i = 0; i < 3; i++) {
    const r = await deliver(h, refund);
    assertEquals(r.status, 200);
    replies.push(await r.json());
  }
  assertEquals(replies.map((r) => [r.matched, r.applied, r.credits_taken_back]), [[true, true, 10], [true, false, 0], [true, false, 0]]);
  assertEquals(await env.balance(u.id), 1, "the 10 purchased credits are gone, once");
  const rows = await env.standin.sql`select amount, reference_id from public.credit_transactions where user_id = ${u.id} and type = 'purchase_refund'`;
  assertEquals(rows.map((r) => [r.amount, r.reference_id]), [[-10, co.session_id]]);
  const [p] = await env.standin.sql`select refunded_cents, credits_revoked, credits_taken_back from public.payments where stripe_session_id = ${co.session_id}`;
  assertEquals([p.refunded_cents, p.credits_revoked, p.credits_taken_back], [499, 10, 10]);
  // the user sees the refund in their ledger
  const mine = await (await env.rest(u.token, "GET", "/rest/v1/credit_transactions?select=type,amount&type=eq.purchase_refund")).json();
  assertEquals(mine, [{ type: "purchase_refund", amount: -10 }]);

  // a refund of a charge that bought no credits changes nothing; a tampered one is refused
  const foreign = await deliver(h, refund.replace(pi, "pi_unrelated").replace(/evt_[0-9a-f-]+/, "evt_foreign"));
  assertEquals((await foreign.json()).matched, false);
  const forged = await deliver(h, refund, await stripeSignature(refund, "whsec_other"));
  assertEquals(forged.status, 400);
  await forged.body?.cancel();
  assertEquals(await env.balance(u.id), 1);
  assert(await env.ledgerOk(), "ledger invariant");
});

envTest("stripe-webhook: a refund never takes the balance below zero", async (env) => {
  const u = await env.signUp();
  const co = await (await call(checkout(env.deps()), u.token, { pack_id: "pack_10" })).json();
  const h = webhook(env.deps());
  const pi = `pi_${crypto.randomUUID().replace(/-/g, "").slice(0, 14)}`;
  await (await deliver(h, event("checkout.session.completed", { id: co.session_id, payment_status: "paid", payment_intent: pi,
    client_reference_id: u.id, amount_total: 499, metadata: { credits: "10" } }))).body?.cancel();
  // 8 of the 11 credits are spent meanwhile (an adjustment stands in for generations)
  await env.standin.sql.begin(async (tx) => {
    await tx`update public.user_profiles set credit_balance = credit_balance - 8 where id = ${u.id}`;
    await tx`insert into public.credit_transactions (user_id, amount, type, reference_id) values (${u.id}, -8, 'adjustment', 'spent')`;
  });
  const refund = JSON.stringify({ id: `evt_${crypto.randomUUID().slice(0, 8)}`, object: "event", type: "charge.refunded",
    data: { object: { id: "ch_2", object: "charge", amount: 499, amount_refunded: 499, payment_intent: pi } } });
  const r = await (await deliver(h, refund)).json();
  assertEquals([r.applied, r.credits_taken_back], [true, 3]);
  assertEquals(await env.balance(u.id), 0, "stops at zero");
  assert(await env.ledgerOk(), "ledger invariant");
});
