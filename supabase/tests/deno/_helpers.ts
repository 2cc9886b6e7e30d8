// Test helpers: tiny asserts (no jsr std lib), fake Runway + Stripe servers on 127.0.0.1,
// and an environment wiring the Edge Function handlers to the Supabase stand-in backed by the
// real PostgreSQL (DATABASE_URL, set by tests/run.sh).
import { type Config, type Deps } from "../../functions/_shared/config.ts";
import { hmacSha256Hex } from "../../functions/_shared/stripe.ts";
import { type Standin, startStandin } from "../standin/standin.ts";

export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new Error(msg);
}
export function assertEquals(actual: unknown, expected: unknown, msg = "") {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${msg ? msg + ": " : ""}expected ${e}, got ${a}`);
}
export function assertMatch(actual: string, re: RegExp, msg = "") {
  if (!re.test(actual)) throw new Error(`${msg ? msg + ": " : ""}${JSON.stringify(actual)} does not match ${re}`);
}

export const DATABASE_URL = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:54329/echoes";
export const FAKE_RUNWAY_KEY = "fake-runway-key";
export const FAKE_STRIPE_KEY = "fake-stripe-secret";
export const WEBHOOK_SECRET = "whsec_test";
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Recorded {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}
type Reply = { status: number; body?: unknown; delayMs?: number; headers?: Record<string, string> };

export interface FakeServer {
  url: string;
  calls: Recorded[];
  close(): Promise<void>;
}

function fakeServer(route: (r: Recorded, nth: number) => Reply | Promise<Reply>): FakeServer {
  const ac = new AbortController();
  const calls: Recorded[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} }, async (req) => {
    const u = new URL(req.url);
    const rec = { method: req.method, path: u.pathname + u.search, headers: req.headers, body: await req.text() };
    calls.push(rec);
    const reply = await route(rec, calls.filter((c) => c.method === rec.method && c.path.split("?")[0] === rec.path.split("?")[0]).length);
    if (reply.delayMs) await sleep(reply.delayMs);
    if (reply.body instanceof Uint8Array) return new Response(reply.body as Uint8Array<ArrayBuffer>, { status: reply.status, headers: reply.headers });
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
  onStart: (nth: number) => Reply = () => ({ status: 200, body: { id: crypto.randomUUID() } });
  onTask: (id: string, nth: number) => Reply = (id) => ({ status: 200, body: { id, status: "RUNNING", progress: 0.5 } });
  static start() {
    const f = new FakeRunway();
    f.server = fakeServer((r, nth) => {
      if (r.method === "POST" && r.path === "/v1/image_to_video") return f.onStart(nth);
      const t = /^\/v1\/tasks\/([^/?]+)$/.exec(r.path);
      if (t && r.method === "GET") return f.onTask(t[1], nth);
      if (t && r.method === "DELETE") return { status: 204 };
      const o = /^\/output\/([^/]+)\.mp4$/.exec(r.path);
      if (o) return { status: 200, body: new TextEncoder().encode(`FAKE-MP4-${o[1]}`), headers: { "Content-Type": "video/mp4" } };
      return { status: 404, body: { error: "not found" } };
    });
    return f;
  }
  get url() {
    return this.server.url;
  }
  calls(method: string, prefix: string) {
    return this.server.calls.filter((c) => c.method === method && c.path.startsWith(prefix));
  }
}

export class FakeStripe {
  server!: FakeServer;
  onCreate: (nth: number) => Reply = () => {
    const id = `cs_test_${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
    return { status: 200, body: { id, object: "checkout.session", url: `https://checkout.stripe.invalid/c/pay/${id}`, status: "open" } };
  };
  static start() {
    const f = new FakeStripe();
    f.server = fakeServer((r, nth) => {
      if (r.method === "POST" && r.path === "/v1/checkout/sessions") return f.onCreate(nth);
      return { status: 404, body: { error: { type: "invalid_request_error", message: "not found" } } };
    });
    return f;
  }
}

export interface Env {
  standin: Standin;
  runway: FakeRunway;
  stripe: FakeStripe;
  logs: string[];
  deps(overrides?: Partial<Omit<Deps, "config">> & { config?: Partial<Config> }): Deps;
  signUp(): Promise<{ id: string; token: string; email: string }>;
  rest(token: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  newClip(user: { id: string; token: string }, opts?: { imagePath?: string }): Promise<{ projectId: string; clipId: string }>;
  balance(userId: string): Promise<number>;
  ledgerOk(): Promise<boolean>;
}

/** Run fn with a fresh stand-in + fake providers; everything is closed afterwards. */
export function envTest(name: string, fn: (env: Env) => Promise<void>) {
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false }, async () => {
    const standin = await startStandin({ databaseUrl: DATABASE_URL });
    const runway = await FakeRunway.start();
    const stripe = await FakeStripe.start();
    const logs: string[] = [];
    const env: Env = {
      standin, runway, stripe, logs,
      deps(o = {}) {
        const config: Config = {
          supabaseUrl: standin.url, anonKey: standin.anonKey, serviceRoleKey: standin.serviceKey,
          activeProvider: "runway", runwayApiKey: FAKE_RUNWAY_KEY, runwayBaseUrl: runway.url, runwayModel: "gen4_turbo",
          providerTimeoutMs: 500, providerRetries: 2, providerBackoffMs: 5,
          stripeSecretKey: FAKE_STRIPE_KEY, stripeApiBase: stripe.server.url, stripeWebhookSecret: WEBHOOK_SECRET,
          checkoutSuccessUrl: "https://echoes.invalid/paid?session_id={CHECKOUT_SESSION_ID}", checkoutCancelUrl: "https://echoes.invalid/cancel",
          ...(o.config ?? {}),
        };
        return {
          config,
          fetch: o.fetch ?? ((i, init) => fetch(i, init)),
          sleep: o.sleep ?? ((ms) => sleep(Math.min(ms, 20))),
          now: o.now ?? (() => Date.now()),
          random: o.random ?? (() => 0.5),
          log: o.log ?? ((m) => logs.push(m)),
        };
      },
      async signUp() {
        const email = `u${crypto.randomUUID().slice(0, 8)}@test.invalid`;
        const res = await fetch(`${standin.url}/auth/v1/signup`, {
          method: "POST", headers: { apikey: standin.anonKey, "Content-Type": "application/json" },
          body: JSON.stringify({ email, password: "test-password" }),
        });
        const s = await res.json();
        assert(res.status === 200 && s.access_token, `signup failed: ${JSON.stringify(s)}`);
        return { id: s.user.id, token: s.access_token, email };
      },
      rest(token, method, path, body, headers = {}) {
        return fetch(`${standin.url}${path}`, {
          method,
          headers: { apikey: standin.anonKey, Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
          body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
        });
      },
      async newClip(user, opts = {}) {
        const p = await env.rest(user.token, "POST", "/rest/v1/projects", { title: "Test film" }, { Prefer: "return=representation" });
        assertEquals(p.status, 201, "create project");
        const projectId = (await p.json())[0].id;
        const clipId = crypto.randomUUID();
        const imagePath = opts.imagePath ?? `${user.id}/${projectId}/${clipId}.jpg`;
        if (!opts.imagePath) {
          const up = await fetch(`${standin.url}/storage/v1/object/images/${imagePath}`, {
            method: "POST", headers: { apikey: standin.anonKey, Authorization: `Bearer ${user.token}`, "Content-Type": "image/jpeg" },
            body: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
          });
          assertEquals(up.status, 200, `upload image ${await up.text()}`);
        }
        const c = await env.rest(user.token, "POST", "/rest/v1/clips",
          { id: clipId, project_id: projectId, image_url: imagePath, prompt: "gentle push-in" }, { Prefer: "return=representation" });
        assertEquals(c.status, 201, "create clip");
        await c.body?.cancel();
        return { projectId, clipId };
      },
      async balance(userId) {
        const [r] = await standin.sql`select credit_balance from public.user_profiles where id = ${userId}`;
        return r.credit_balance;
      },
      async ledgerOk() {
        const [r] = await standin.sql`select tests.ledger_violations() as n`;
        return Number(r.n) === 0;
      },
    };
    try {
      await fn(env);
    } finally {
      await runway.server.close();
      await stripe.server.close();
      await standin.close();
    }
  });
}

export function call(handler: (r: Request) => Promise<Response>, token: string | null, body: unknown, method = "POST", headers: Record<string, string> = {}) {
  return handler(new Request("http://functions.invalid/fn", {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": "application/json", ...headers },
    body: method === "GET" ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  }));
}

export async function stripeSignature(payload: string, secret = WEBHOOK_SECRET, t = Math.floor(Date.now() / 1000)) {
  return `t=${t},v1=${await hmacSha256Hex(secret, `${t}.${payload}`)}`;
}
