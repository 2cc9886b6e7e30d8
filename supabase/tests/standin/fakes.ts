// Fake Runway and fake Stripe on 127.0.0.1, used by the Deno tests and by `main.ts --with-fakes`.
//
// Fake Stripe: `POST /v1/checkout/sessions` (form-encoded, like api.stripe.com) creates an open session whose `url`
// is a page on the fake itself; `GET /v1/checkout/sessions/{id}` returns it. The session is paid by
// `POST /_test/checkout/{id}/pay` (or the Pay button of `GET /c/pay/{id}`, or automatically after `autoPayMs`), which
// delivers a SIGNED `checkout.session.completed` event (Stripe-Signature: t=…,v1=HMAC-SHA256) to `webhookUrl`;
// `POST /_test/checkout/{id}/expire` delivers `checkout.session.expired`. A paid session has a PaymentIntent
// (`payment_intent: "pi_…"`, in the event too); `POST /_test/checkout/{id}/redeliver` sends the same
// checkout.session.completed event again (same event id, like Stripe's retries), and
// `POST /_test/checkout/{id}/refund` (body `{"amount"?: cents}`, default: the rest) delivers a signed
// `charge.refunded` for its charge with the cumulative `amount_refunded`.
//
// Fake Runway: `POST /v1/image_to_video`, `GET|DELETE /v1/tasks/{id}`, `GET /output/{id}.mp4`; behaviour is set
// through the mutable `onStart` / `onTask` fields, or over HTTP for a local backend:
// `POST /_test/output` `{"base64"}` = the MP4 every output serves from then on; `POST /_test/mode`
// `{"fail"?: "<failureCode>" | null, "reject_start"?: bool}` = tasks fail at their first poll with that code /
// image_to_video answers 400; `GET /_test/stats` = `{"starts", "polls", "polls_by_task", "cancels" (task ids DELETEd),
// "downloads" (outputs served)}`.
// `GET /v1/organization` (a user's own key checked once) answers 200 for a bearer key starting with "key_", else 401.
import { hmacSha256Hex } from "../../functions/_shared/stripe.ts";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Recorded {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}
export type Reply = { status: number; body?: unknown; delayMs?: number; headers?: Record<string, string> };

export interface FakeServer {
  url: string;
  calls: Recorded[];
  close(): Promise<void>;
}

export function fakeServer(route: (r: Recorded, nth: number) => Reply | Promise<Reply>, port = 0): FakeServer {
  const ac = new AbortController();
  const calls: Recorded[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port, signal: ac.signal, onListen: () => {} }, async (req) => {
    const u = new URL(req.url);
    const rec = { method: req.method, path: u.pathname + u.search, headers: req.headers, body: await req.text() };
    calls.push(rec);
    const reply = await route(rec, calls.filter((c) => c.method === rec.method && c.path.split("?")[0] === rec.path.split("?")[0]).length);
    if (reply.delayMs) await sleep(reply.delayMs);
    if (reply.body instanceof Uint8Array) return new Response(reply.body as Uint8Array<ArrayBuffer>, { status: reply.status, headers: reply.headers });
    if (typeof reply.body === "string") return new Response(reply.body, { status: reply.status, headers: reply.headers });
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body),
      { status: reply.status, headers: { "Content-Type": "application/json", ...reply.headers } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    calls,
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}

/** Fake Runway: behaviour is set per test through the mutable fields. */
export class FakeRunway {
  server!: FakeServer;
  /** Served for every output when set (`POST /_test/output`). */
  video: Uint8Array | null = null;
  /** Tasks fail at their first poll with this failureCode (`POST /_test/mode`). */
  failCode: string | null = null;
  rejectStart = false;
  /** succeedAfter's progress moves in steps this long (Runway's moves about every 5 s); 0: smoothly */
  progressStepMs = 0;
  onStart: (nth: number) => Reply = () => ({ status: 200, body: { id: crypto.randomUUID() } });
  onTask: (id: string, nth: number) => Reply = (id) => ({ status: 200, body: { id, status: "RUNNING", createdAt: this.createdAt(id), progress: 0.5 } });
  /** ms since the epoch a task was started (`POST /v1/image_to_video`), or first asked for */
  readonly created = new Map<string, number>();
  /** ms since the epoch a task reported SUCCEEDED first */
  readonly finished = new Map<string, number>();
  /** a task's `promptImage` when it is a URL, without its query (the signature) */
  readonly images = new Map<string, string>();
  static start(port = 0) {
    const f = new FakeRunway();
    f.server = fakeServer((r, nth) => {
      if (r.method === "GET" && r.path === "/v1/organization") {
        const ok = /^Bearer key_\S+$/.test(r.headers.get("authorization") ?? "");
        return ok ? { status: 200, body: { creditBalance: 1000, usage: {} } } : { status: 401, body: { error: "Invalid API key" } };
      }
      if (r.method === "POST" && r.path === "/v1/image_to_video") {
        if (f.rejectStart) return { status: 400, body: { error: "promptImage: the asset could not be read" } };
        const started = f.onStart(nth);
        const id = (started.body as { id?: unknown } | undefined)?.id;
        if (started.status === 200 && typeof id === "string") {
          f.created.set(id, Date.now());
          const image = (JSON.parse(r.body || "{}") as { promptImage?: unknown }).promptImage;
          if (typeof image === "string" && /^https?:/.test(image)) f.images.set(id, image.split("?")[0]);
        }
        return started;
      }
      const t = /^\/v1\/tasks\/([^/?]+)$/.exec(r.path);
      if (t && r.method === "GET") {
        if (f.failCode) return { status: 200, body: { id: t[1], status: "FAILED", failure: "refused by the fake", failureCode: f.failCode } };
        const reply = f.onTask(t[1], nth);
        if ((reply.body as { status?: unknown } | undefined)?.status === "SUCCEEDED" && !f.finished.has(t[1])) f.finished.set(t[1], Date.now());
        return reply;
      }
      if (t && r.method === "DELETE") return { status: 204 };
      const o = /^\/output\/([^/]+)\.mp4$/.exec(r.path);
      if (o) return { status: 200, body: f.video ?? new TextEncoder().encode(`FAKE-MP4-${o[1]}`), headers: { "Content-Type": "video/mp4" } };
      if (r.method === "POST" && r.path === "/_test/output") {
        const b64 = String((JSON.parse(r.body || "{}") as { base64?: string }).base64 ?? "");
        f.video = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        return { status: 200, body: { bytes: f.video.length } };
      }
      if (r.method === "POST" && r.path === "/_test/mode") {
        const m = JSON.parse(r.body || "{}") as { fail?: string | null; reject_start?: boolean; progress_step_ms?: number };
        if ("fail" in m) f.failCode = m.fail ?? null;
        if ("reject_start" in m) f.rejectStart = Boolean(m.reject_start);
        if ("progress_step_ms" in m) f.progressStepMs = Math.max(0, Number(m.progress_step_ms) || 0);
        return { status: 200, body: { fail: f.failCode, reject_start: f.rejectStart, progress_step_ms: f.progressStepMs } };
      }
      if (r.method === "GET" && r.path === "/_test/stats") {
        const polls: Record<string, number> = {};
        for (const c of f.calls("GET", "/v1/tasks/")) {
          const id = c.path.slice("/v1/tasks/".length).split("?")[0];
          polls[id] = (polls[id] ?? 0) + 1;
        }
        return { status: 200, body: { starts: f.calls("POST", "/v1/image_to_video").length, polls: f.calls("GET", "/v1/tasks/").length, polls_by_task: polls,
          cancels: f.calls("DELETE", "/v1/tasks/").map((c) => c.path.slice("/v1/tasks/".length).split("?")[0]),
          downloads: f.calls("GET", "/output/").length,
          // per task: started, first reported SUCCEEDED (ms since the epoch), its photo's URL
          tasks: Object.fromEntries([...f.created.keys()].map((id) =>
            [id, { created_at: f.created.get(id), finished_at: f.finished.get(id) ?? null, image: f.images.get(id) ?? null }])) } };
      }
      return { status: 404, body: { error: "not found" } };
    }, port);
    return f;
  }
  /** For a local backend: every task succeeds `afterMs` after it was started, reporting a
   * progress that grows steadily until then, as Runway's does. */
  succeedAfter(afterMs: number) {
    this.onTask = (id) => {
      const age = Date.now() - this.createdAtMs(id);
      if (age >= afterMs) return { status: 200, body: { id, status: "SUCCEEDED", createdAt: this.createdAt(id), output: [`${this.url}/output/${id}.mp4`] } };
      const shown = this.progressStepMs > 0 ? Math.floor(age / this.progressStepMs) * this.progressStepMs : age;
      return { status: 200, body: { id, status: "RUNNING", createdAt: this.createdAt(id), progress: Math.floor((shown / afterMs) * 100) / 100 } };
    };
    return this;
  }
  /** A task this fake did not start (a test made up its id) counts from its first poll. */
  createdAtMs(id: string) {
    if (!this.created.has(id)) this.created.set(id, Date.now());
    return this.created.get(id)!;
  }
  createdAt(id: string) {
    return new Date(this.createdAtMs(id)).toISOString();
  }
  get url() {
    return this.server.url;
  }
  calls(method: string, prefix: string) {
    return this.server.calls.filter((c) => c.method === method && c.path.startsWith(prefix));
  }
}

/** Stripe's form encoding (`a[b][0][c]=v`) to nested objects/arrays. */
export function parseStripeForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const keys = k.split(/\[|\]\[|\]/).filter((x) => x !== "");
    let cur: Record<string, unknown> = out;
    keys.forEach((key, i) => {
      if (i === keys.length - 1) cur[key] = v;
      else cur = (cur[key] ??= /^\d+$/.test(keys[i + 1]) ? [] : {}) as Record<string, unknown>;
    });
  }
  return out;
}

type Session = Record<string, unknown> & { id: string; status: string; payment_status: string };

export class FakeStripe {
  server!: FakeServer;
  sessions = new Map<string, Session>();
  /** Where paid/expired sessions are announced, and the secret they are signed with. */
  webhookUrl = "";
  webhookSecret = "";
  /** > 0: a created session is paid automatically after this many ms. */
  autoPayMs = 0;
  deliveries: { type: string; status: number }[] = [];
  onCreate: (nth: number, form: Record<string, unknown>) => Reply = (_nth, form) => {
    const id = `cs_test_${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`;
    const items = (form.line_items ?? []) as { price_data?: { unit_amount?: string; currency?: string }; quantity?: string }[];
    const amount = items.reduce((n, li) => n + Number(li.price_data?.unit_amount ?? 0) * Number(li.quantity ?? 1), 0);
    const s: Session = {
      id, object: "checkout.session", url: `${this.server.url}/c/pay/${id}`, status: "open", payment_status: "unpaid", mode: form.mode ?? "payment",
      client_reference_id: form.client_reference_id ?? null, customer_email: form.customer_email ?? null, metadata: form.metadata ?? {},
      amount_total: amount, currency: items[0]?.price_data?.currency ?? "usd", success_url: form.success_url ?? null, cancel_url: form.cancel_url ?? null,
      created: Math.floor(Date.now() / 1000), livemode: false,
    };
    this.sessions.set(id, s);
    if (this.autoPayMs > 0) setTimeout(() => this.pay(id).catch(() => {}), this.autoPayMs);
    return { status: 200, body: s };
  };
  static start(port = 0) {
    const f = new FakeStripe();
    f.server = fakeServer(async (r, nth) => {
      const path = r.path.split("?")[0];
      if (r.method === "POST" && path === "/v1/checkout/sessions") {
        if (!/^Bearer .+/.test(r.headers.get("authorization") ?? "")) return { status: 401, body: { error: { type: "invalid_request_error", message: "You did not provide an API key." } } };
        return f.onCreate(nth, parseStripeForm(r.body));
      }
      const get = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path);
      if (get && r.method === "GET") {
        const s = f.sessions.get(get[1]);
        return s ? { status: 200, body: s } : { status: 404, body: { error: { type: "invalid_request_error", code: "resource_missing", message: `No such checkout.session: '${get[1]}'` } } };
      }
      const act = /^\/_test\/checkout\/([^/]+)\/(pay|expire|redeliver|refund)$/.exec(path);
      if (act && r.method === "POST") {
        if (!f.sessions.has(act[1])) return { status: 404, body: { error: "no such session" } };
        let status: number;
        if (act[2] === "pay") status = await f.pay(act[1]);
        else if (act[2] === "expire") status = await f.expire(act[1]);
        else if (act[2] === "redeliver") status = await f.redeliver(act[1]);
        else {
          const amount = (JSON.parse(r.body || "{}") as { amount?: number }).amount;
          const refunded = await f.refund(act[1], amount);
          if (refunded === null) return { status: 409, body: { error: "the session is not paid or is fully refunded" } };
          status = refunded;
        }
        return { status: 200, body: { session: f.sessions.get(act[1]), webhook_status: status } };
      }
      const page = /^\/c\/pay\/([^/]+)$/.exec(path);
      if (page && r.method === "GET" && f.sessions.has(page[1])) {
        const s = f.sessions.get(page[1])!;
        return { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" }, body: `<!doctype html><title>Fake Stripe Checkout</title>
<p>Fake checkout ${s.id}: ${(Number(s.amount_total) / 100).toFixed(2)} ${String(s.currency).toUpperCase()} — ${s.status}/${s.payment_status}</p>
<form method="post" action="/c/pay/${s.id}"><button>Pay</button></form>` };
      }
      if (page && r.method === "POST" && f.sessions.has(page[1])) {
        await f.pay(page[1]);
        const ok = String(f.sessions.get(page[1])!.success_url ?? "").replace("{CHECKOUT_SESSION_ID}", page[1]);
        return { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" }, body: `<!doctype html><p>Paid. You can close this page.</p>${ok ? `<p>${ok}</p>` : ""}` };
      }
      return { status: 404, body: { error: { type: "invalid_request_error", message: "not found" } } };
    }, port);
    return f;
  }
  get url() {
    return this.server.url;
  }

  /** The last completed event of each paid session, for redelivery; refunded cents per session. */
  completedEvents = new Map<string, string>();
  refunded = new Map<string, number>();

  /** Marks the session paid and delivers the signed checkout.session.completed event; the webhook's HTTP status. */
  async pay(id: string): Promise<number> {
    const s = this.sessions.get(id)!;
    if (s.status === "complete") return 0;
    Object.assign(s, { status: "complete", payment_status: "paid",
      payment_intent: `pi_test_${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}` });
    if (!this.webhookUrl) return 0;
    const { payload } = await this.signedEvent("checkout.session.completed", s);
    this.completedEvents.set(id, payload);
    return await this.deliverPayload("checkout.session.completed", payload);
  }
  /** Sends the session's checkout.session.completed event again, with the same event id. */
  async redeliver(id: string): Promise<number> {
    const payload = this.completedEvents.get(id);
    if (!payload) return 0;
    return await this.deliverPayload("checkout.session.completed", payload);
  }
  /** Refunds `amount` cents (default: what is left) of the paid session's charge: a signed charge.refunded event
   *  with the cumulative amount_refunded; null when there is nothing to refund. */
  async refund(id: string, amount?: number): Promise<number | null> {
    const s = this.sessions.get(id)!;
    const total = Number(s.amount_total ?? 0);
    const before = this.refunded.get(id) ?? 0;
    if (s.payment_status !== "paid" || before >= total) return null;
    const after = Math.min(total, before + (amount ?? total - before));
    this.refunded.set(id, after);
    const charge = { id: `ch_test_${String(s.payment_intent).slice(8)}`, object: "charge", amount: total, amount_captured: total,
      amount_refunded: after, refunded: after >= total, payment_intent: s.payment_intent, currency: s.currency };
    return await this.deliver("charge.refunded", charge);
  }
  async expire(id: string): Promise<number> {
    const s = this.sessions.get(id)!;
    Object.assign(s, { status: "expired" });
    return await this.deliver("checkout.session.expired", s);
  }
  /** A Stripe event for the session, signed like Stripe does (t=<unix>,v1=HMAC-SHA256(secret, "<t>.<payload>")). */
  async signedEvent(type: string, s: Record<string, unknown>, t = Math.floor(Date.now() / 1000)) {
    const payload = JSON.stringify({ id: `evt_${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`, object: "event", api_version: "2024-06-20",
      type, created: t, livemode: false, pending_webhooks: 1, data: { object: s } });
    return { payload, signature: `t=${t},v1=${await hmacSha256Hex(this.webhookSecret, `${t}.${payload}`)}` };
  }
  async deliver(type: string, s: Record<string, unknown>): Promise<number> {
    if (!this.webhookUrl) return 0;
    const { payload } = await this.signedEvent(type, s);
    return await this.deliverPayload(type, payload);
  }
  /** Signs (with the current time) and posts an event payload to the webhook. */
  async deliverPayload(type: string, payload: string): Promise<number> {
    if (!this.webhookUrl) return 0;
    const t = Math.floor(Date.now() / 1000);
    const signature = `t=${t},v1=${await hmacSha256Hex(this.webhookSecret, `${t}.${payload}`)}`;
    const res = await fetch(this.webhookUrl, { method: "POST", headers: { "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": signature }, body: payload });
    await res.body?.cancel();
    this.deliveries.push({ type, status: res.status });
    return res.status;
  }
}
