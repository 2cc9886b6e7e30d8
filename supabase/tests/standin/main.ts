// Run the Supabase stand-in as a local server for the desktop app:
//   DATABASE_URL=postgres://postgres@127.0.0.1:54329/echoes PORT=54321 \
//   RUNWAY_API_BASE=… STRIPE_API_BASE=… deno run -A supabase/tests/standin/main.ts
// The database must have the migrations applied (see tests/run.sh). Functions get their config
// from the environment like on Supabase, with SUPABASE_URL/keys pointing at this stand-in.
import { configFromEnv, defaultDeps } from "../../functions/_shared/config.ts";
import { createHandler as generateClip } from "../../functions/generate-clip/handler.ts";
import { createHandler as clipStatus } from "../../functions/clip-status/handler.ts";
import { createHandler as createCheckout } from "../../functions/create-checkout/handler.ts";
import { createHandler as stripeWebhook } from "../../functions/stripe-webhook/handler.ts";
import { signJwt } from "./jwt.ts";
import { startStandin } from "./standin.ts";

const port = Number(Deno.env.get("PORT") ?? "54321");
const jwtSecret = Deno.env.get("STANDIN_JWT_SECRET") ?? "standin-jwt-secret-for-tests-only";
const url = `http://127.0.0.1:${port}`;
const config = {
  ...configFromEnv(),
  supabaseUrl: url,
  anonKey: await signJwt({ role: "anon", iss: "supabase-standin" }, jwtSecret),
  serviceRoleKey: await signJwt({ role: "service_role", iss: "supabase-standin" }, jwtSecret),
};
const deps = defaultDeps({ config });
const s = await startStandin({
  databaseUrl: Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:54329/echoes",
  jwtSecret,
  port,
  functions: {
    "generate-clip": { verifyJwt: true, handler: generateClip(deps) },
    "clip-status": { verifyJwt: true, handler: clipStatus(deps) },
    "create-checkout": { verifyJwt: true, handler: createCheckout(deps) },
    "stripe-webhook": { verifyJwt: false, handler: stripeWebhook(deps) },
  },
});
console.log(JSON.stringify({ url: s.url, anon_key: s.anonKey }, null, 2));
