// POST /functions/v1/stripe-webhook   (verify_jwt = false; authenticated by the Stripe-Signature HMAC)
// Grants credits exactly once per Checkout Session however often Stripe redelivers.
import { type Deps, defaultDeps } from "../_shared/config.ts";
import { errorJson, json, parseJsonObject, wrap } from "../_shared/http.ts";
import { verifyStripeSignature } from "../_shared/stripe.ts";
import { SupabaseClient } from "../_shared/supabase.ts";

interface Session {
  id?: string;
  payment_status?: string;
  client_reference_id?: string | null;
  amount_total?: number | null;
  metadata?: Record<string, string> | null;
}

export function createHandler(deps: Deps) {
  return wrap(["POST"], async (req) => {
    const raw = await req.text(); // exact bytes: never re-serialise before verifying
    const bad = await verifyStripeSignature(raw, req.headers.get("Stripe-Signature"), deps.config.stripeWebhookSecret, deps.now());
    if (bad) return errorJson(400, `invalid webhook signature: ${bad}`, "invalid_signature");
    const event = parseJsonObject(raw);
    const type = String(event.type ?? "");
    const session = ((event.data as { object?: Session } | undefined)?.object ?? {}) as Session;
    if (!type.startsWith("checkout.session.")) return json({ received: true, ignored: type });
    if (typeof session.id !== "string" || !session.id) return errorJson(400, "event has no checkout session id", "invalid_event");
    const db = new SupabaseClient(deps.config, deps.fetch);

    const grant = async () => {
      const credits = Number(session.metadata?.credits);
      const r = await db.rpc<{ granted: boolean }>("grant_purchase", {
        p_stripe_session_id: session.id,
        p_user_id: session.client_reference_id ?? session.metadata?.user_id ?? null,
        p_credits: Number.isInteger(credits) && credits > 0 ? credits : null,
        p_amount_cents: typeof session.amount_total === "number" && session.amount_total > 0 ? session.amount_total : null,
        p_pack_id: session.metadata?.pack_id ?? null,
      }, null);
      return json({ received: true, granted: r.granted });
    };

    switch (type) {
      case "checkout.session.completed":
        if (session.payment_status === "paid" || session.payment_status === "no_payment_required") return await grant();
        return json({ received: true, granted: false, awaiting_async_payment: true });
      case "checkout.session.async_payment_succeeded":
        return await grant();
      case "checkout.session.async_payment_failed":
      case "checkout.session.expired": {
        const status = type.endsWith("failed") ? "failed" : "expired";
        const updated = await db.rpc<boolean>("set_payment_status", { p_stripe_session_id: session.id, p_status: status }, null);
        return json({ received: true, status, updated });
      }
      default:
        return json({ received: true, ignored: type });
    }
  }, deps.log);
}

let cached: ((req: Request) => Promise<Response>) | null = null;
export function handler(req: Request): Promise<Response> {
  cached ??= createHandler(defaultDeps());
  return cached(req);
}
