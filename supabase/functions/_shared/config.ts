// Configuration from the environment (Supabase secrets). Base URLs are overridable for tests.

export interface Config {
  supabaseUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  activeProvider: string;
  runwayApiKey: string;
  runwayBaseUrl: string;
  runwayModel: string;
  providerTimeoutMs: number;
  providerRetries: number;
  providerBackoffMs: number;
  stripeSecretKey: string;
  stripeApiBase: string;
  stripeWebhookSecret: string;
  checkoutSuccessUrl: string;
  checkoutCancelUrl: string;
  /** CHECKOUT_REDIRECT_ALLOWLIST: where a client's success_url / cancel_url may point (_shared/redirects.ts). */
  checkoutRedirectAllowlist: string;
}

type Env = { get(name: string): string | undefined };

export function configFromEnv(env: Env = Deno.env): Config {
  const get = (n: string, d = "") => (env.get(n) ?? d).trim();
  return {
    supabaseUrl: get("SUPABASE_URL").replace(/\/+$/, ""),
    anonKey: get("SUPABASE_ANON_KEY"),
    serviceRoleKey: get("SUPABASE_SERVICE_ROLE_KEY"),
    activeProvider: get("ACTIVE_AI_PROVIDER", "runway"),
    runwayApiKey: get("RUNWAY_API_KEY"),
    runwayBaseUrl: get("RUNWAY_API_BASE", "https://api.dev.runwayml.com").replace(/\/+$/, ""),
    runwayModel: get("RUNWAY_MODEL", "gen4_turbo"),
    providerTimeoutMs: Number(get("PROVIDER_TIMEOUT_MS", "30000")),
    providerRetries: Number(get("PROVIDER_RETRIES", "2")),
    providerBackoffMs: Number(get("PROVIDER_BACKOFF_MS", "500")),
    stripeSecretKey: get("STRIPE_SECRET_KEY"),
    stripeApiBase: get("STRIPE_API_BASE", "https://api.stripe.com").replace(/\/+$/, ""),
    stripeWebhookSecret: get("STRIPE_WEBHOOK_SECRET"),
    // the project's home page until the deployment names its own pages
    checkoutSuccessUrl: get("CHECKOUT_SUCCESS_URL", "https://github.com/echoes/VideoCreator"),
    checkoutCancelUrl: get("CHECKOUT_CANCEL_URL", "https://github.com/echoes/VideoCreator"),
    checkoutRedirectAllowlist: get("CHECKOUT_REDIRECT_ALLOWLIST"),
  };
}

export interface Deps {
  config: Config;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number; // ms since epoch
  random: () => number;
  log: (msg: string) => void;
}

export function defaultDeps(overrides: Partial<Deps> = {}): Deps {
  return {
    config: overrides.config ?? configFromEnv(),
    fetch: overrides.fetch ?? ((input, init) => fetch(input, init)),
    sleep: overrides.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    now: overrides.now ?? (() => Date.now()),
    random: overrides.random ?? Math.random,
    log: overrides.log ?? ((m) => console.error(m)),
  };
}
