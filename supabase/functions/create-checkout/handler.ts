// GET  /functions/v1/create-checkout                 -> {"packs":[…]}
// POST /functions/v1/create-checkout {"pack_id": "pack_10", "success_url"?, "cancel_url"?} -> {"url", "session_id", "pack"}
// Creates a Stripe Checkout Session for a server-defined pack and records a pending payment. The client's
// success_url / cancel_url are used only when CHECKOUT_REDIRECT_ALLOWLIST (or the server's own pages) allow
// them (_shared/redirects.ts), else 400 invalid_redirect_url; absent or empty: CHECKOUT_SUCCESS_URL /
// CHECKOUT_CANCEL_URL.
import { type Deps, defaultDeps } from "../_shared/config.ts";
import { bearerToken, HttpError, json, readJsonObject, wrap } from "../_shared/http.ts";
import { CREDIT_PACKS } from "../_shared/packs.ts";
import { checkRedirectUrl, redirectAllowlist } from "../_shared/redirects.ts";
import { createCheckoutSession } from "../_shared/stripe.ts";
import { SupabaseClient } from "../_shared/supabase.ts";

export function createHandler(deps: Deps) {
  return wrap(["GET", "POST"], async (req) => {
    if (req.method === "GET") return json({ packs: Object.values(CREDIT_PACKS) });
    const db = new SupabaseClient(deps.config, deps.fetch);
    const user = await db.getUser(bearerToken(req));
    const body = await readJsonObject(req);
    const packId = typeof body.pack_id === "string" ? body.pack_id : "";
    const pack = Object.hasOwn(CREDIT_PACKS, packId) ? CREDIT_PACKS[packId] : undefined;
    if (!pack) throw new HttpError(400, `unknown pack_id; choose one of ${Object.keys(CREDIT_PACKS).join(", ")}`, "invalid_pack");
    const c = deps.config;
    const allow = redirectAllowlist(c.checkoutRedirectAllowlist ?? "", [c.checkoutSuccessUrl, c.checkoutCancelUrl]);
    const given = (v: unknown) => v !== undefined && v !== null && v !== "";
    const successUrl = given(body.success_url) ? checkRedirectUrl(body.success_url, "success_url", allow) : c.checkoutSuccessUrl;
    const cancelUrl = given(body.cancel_url) ? checkRedirectUrl(body.cancel_url, "cancel_url", allow) : c.checkoutCancelUrl;
    const session = await createCheckoutSession(deps, user.id, user.email, pack, { successUrl, cancelUrl });
    await db.rpc("record_checkout_session", {
      p_user_id: user.id, p_stripe_session_id: session.id, p_pack_id: pack.id,
      p_amount_cents: pack.amountCents, p_credits: pack.credits,
    }, null);
    return json({ url: session.url, session_id: session.id, pack });
  }, deps.log);
}

let cached: ((req: Request) => Promise<Response>) | null = null;
export function handler(req: Request): Promise<Response> {
  cached ??= createHandler(defaultDeps());
  return cached(req);
}
