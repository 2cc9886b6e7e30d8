// Run the Supabase stand-in as a local server for the desktop app:
//   DATABASE_URL=postgres://postgres@127.0.0.1:54329/echoes PORT=54321 \
//     deno run -A supabase/tests/standin/main.ts [--with-fakes] [--data-dir DIR] [--info-file FILE]
// The database must have the migrations applied (see tests/run.sh or build-aux/backend.sh).
//   --with-fakes      also start the fake Runway and fake Stripe (tests/standin/fakes.ts) on free loopback ports and
//                     point the Edge Functions at them; the fake Stripe delivers signed webhooks to stripe-webhook.
//                     Pay a checkout with `POST <stripe_url>/_test/checkout/<session id>/pay` (or open its `url`
//                     and press Pay); STANDIN_AUTOPAY_MS=<ms> pays every checkout automatically after that delay.
//                     Fake Runway tasks succeed STANDIN_RUNWAY_MS (default 10000) ms after they were started.
//                     Checkout takes a client's success_url / cancel_url on loopback (CHECKOUT_REDIRECT_ALLOWLIST,
//                     default "loopback": a page on this computer, e.g. the fake Stripe's or one the app serves).
//   --data-dir DIR    (or STANDIN_DATA_DIR) keep sessions, stored objects and TUS uploads there across restarts;
//                     default: a temporary directory removed on exit.
//   --info-file FILE  also write the printed JSON ({url, anon_key, …}) to FILE once listening (atomically).
//   --env-file FILE   also write ECHOES_SUPABASE_URL=… and ECHOES_SUPABASE_ANON_KEY=… lines to FILE (atomically).
// Without --with-fakes, functions get RUNWAY_API_BASE / STRIPE_API_BASE / keys from the environment like on Supabase.
// Stops on SIGINT/SIGTERM.
import { configFromEnv, defaultDeps } from "../../functions/_shared/config.ts";
import { FakeRunway, FakeStripe } from "./fakes.ts";
import { signJwt } from "./jwt.ts";
import { startStandin } from "./standin.ts";

const args = [...Deno.args];
const flag = (name: string) => {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
};
const option = (name: string) => {
  const i = args.indexOf(name);
  if (i < 0 || i + 1 >= args.length) return undefined;
  return args.splice(i, 2)[1];
};
const withFakes = flag("--with-fakes");
const dataDir = option("--data-dir") ?? (Deno.env.get("STANDIN_DATA_DIR") || undefined);
const infoFile = option("--info-file");
const envFile = option("--env-file");
if (args.length) {
  console.error(`unknown arguments: ${args.join(" ")}`);
  Deno.exit(2);
}

const port = Number(Deno.env.get("PORT") ?? "54321");
const jwtSecret = Deno.env.get("STANDIN_JWT_SECRET") ?? "standin-jwt-secret-for-tests-only";
const url = `http://127.0.0.1:${port}`;
let config = {
  ...configFromEnv(),
  supabaseUrl: url,
  anonKey: await signJwt({ role: "anon", iss: "supabase-standin" }, jwtSecret),
  serviceRoleKey: await signJwt({ role: "service_role", iss: "supabase-standin" }, jwtSecret),
};
let runway: FakeRunway | null = null, stripe: FakeStripe | null = null;
if (withFakes) {
  runway = FakeRunway.start().succeedAfter(Number(Deno.env.get("STANDIN_RUNWAY_MS") ?? "10000"));
  stripe = FakeStripe.start();
  stripe.webhookSecret = "whsec_standin_fake";
  stripe.webhookUrl = `${url}/functions/v1/stripe-webhook`;
  stripe.autoPayMs = Number(Deno.env.get("STANDIN_AUTOPAY_MS") ?? "0");
  config = { ...config, runwayBaseUrl: runway.url, runwayApiKey: "fake-runway-key", stripeApiBase: stripe.url,
    stripeSecretKey: "sk_test_fake", stripeWebhookSecret: stripe.webhookSecret,
    checkoutSuccessUrl: `${stripe.url}/paid?session_id={CHECKOUT_SESSION_ID}`, checkoutCancelUrl: `${stripe.url}/cancelled`,
    checkoutRedirectAllowlist: Deno.env.get("CHECKOUT_REDIRECT_ALLOWLIST") ?? "loopback" };
}
const deps = defaultDeps({ config });

// Every function under supabase/functions (each handler.ts exports createHandler(deps)), with verify_jwt as
// supabase/config.toml sets it (default true), like `supabase functions serve`.
const functionsDir = new URL("../../functions/", import.meta.url);
const configToml = await Deno.readTextFile(new URL("../../config.toml", import.meta.url));
const verifyJwtOf = (name: string) => {
  const section = configToml.split(/^\[/m).find((sec) => sec.startsWith(`functions.${name}]`)) ?? "";
  return !/^\s*verify_jwt\s*=\s*false\b/m.test(section);
};
type Handler = (req: Request) => Promise<Response>;
const functions: Record<string, { verifyJwt: boolean; handler: Handler }> = {};
for await (const e of Deno.readDir(functionsDir)) {
  if (!e.isDirectory || e.name.startsWith("_")) continue;
  const mod = await import(new URL(`${e.name}/handler.ts`, functionsDir).href) as { createHandler(d: typeof deps): Handler };
  functions[e.name] = { verifyJwt: verifyJwtOf(e.name), handler: mod.createHandler(deps) };
}
const s = await startStandin({
  databaseUrl: Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:54329/echoes",
  jwtSecret,
  port,
  dataDir,
  functions,
});
const info = { url: s.url, anon_key: s.anonKey, data_dir: s.dataDir, ...(withFakes ? { runway_url: runway!.url, stripe_url: stripe!.url } : {}) };
const text = JSON.stringify(info, null, 2);
const writeAtomically = async (file: string, content: string) => {
  await Deno.writeTextFile(`${file}.tmp`, content, { mode: 0o600 });
  await Deno.rename(`${file}.tmp`, file);
};
if (infoFile) await writeAtomically(infoFile, text + "\n");
if (envFile) await writeAtomically(envFile, `ECHOES_SUPABASE_URL=${s.url}\nECHOES_SUPABASE_ANON_KEY=${s.anonKey}\n`);
console.log(text);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await s.close();
  await runway?.server.close();
  await stripe?.server.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
