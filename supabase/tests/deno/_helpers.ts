// Test helpers: tiny asserts (no jsr std lib), the fake Runway + Stripe servers of tests/standin/fakes.ts,
// and an environment wiring the Edge Function handlers to the Supabase stand-in backed by the
// real PostgreSQL (DATABASE_URL, set by tests/run.sh).
import { type Config, type Deps } from "../../functions/_shared/config.ts";
import { hmacSha256Hex } from "../../functions/_shared/stripe.ts";
import { type Standin, type StandinOptions, startStandin } from "../standin/standin.ts";
import { FakeRunway, FakeStripe, sleep } from "../standin/fakes.ts";
export { FakeRunway, FakeStripe, sleep };

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
export function envTest(name: string, fn: (env: Env) => Promise<void>, opts: Partial<StandinOptions> = {}) {
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false }, async () => {
    const standin = await startStandin({ databaseUrl: DATABASE_URL, ...opts });
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
          checkoutRedirectAllowlist: "",
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
