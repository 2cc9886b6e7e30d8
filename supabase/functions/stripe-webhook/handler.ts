// POST /functions/v1/stripe-webhook   (verify_jwt = false; authenticated by the Stripe-Signature HMAC)
// Grants credits exactly once per Checkout Session however often Stripe redelivers, and remembers the
// session's PaymentIntent; charge.refunded takes the refunded share of those credits back (never below
// zero, once per event id, recorded in the ledger as purchase_refund).
import { type Deps, defaultDeps } from "../_shared/config.ts";
import { errorJson, json, parseJsonObject, wrap } from "../_shared/http.ts";
import { verifyStripeSignature } from "../_shared/stripe.ts";
import { SupabaseClient } from "../_shared/supabase.ts";

interface Session {
  id?: string;
  payment_status?: string;
  payment_intent?: string | { id?: string } | null;
  client_reference_id?: string | null;
  amount_total?: number | null;
  metadata?: Record<string, string> | null;
}

interface Charge {
  id?: string;
  amount?: number;
  amount_captured?: number;
  amount_refunded?: number;
  payment_intent?: string | { id?: string } | null;
}

const idOf = (v: string | { id?: string } | null | undefined) =>
  typeof v === "string" ? v : typeof v?.id === "string" ? v.id : null;

export function createHandler(deps: Deps) {
  return wrap(["POST"], async (req) => {
    const raw = await req.text(); // exact bytes: never re-serialise before verifying
    const bad = await verifyStripeSignature(raw, req.headers.get("Stripe-Signature"), deps.config.stripeWebhookSecret, deps.now());
    if (bad) return errorJson(400, `invalid webhook signature: ${bad}`, "invalid_signature");
    const event = parseJsonObject(raw);
    const type = String(event.type ?? "");
    const object = (event.data as { object?: unknown } | undefined)?.object ?? {};
    const db = new SupabaseClient(deps.config, deps.fetch);

    if (type === "charge.refunded") {
      const charge = object as Charge;
      const pi = idOf(charge.payment_intent);
      if (typeof event.id !== "string" || !event.id || !pi || typeof charge.amount_refunded !== "number") {
        return errorJson(400, "refund event lacks an id, a payment intent or amount_refunded", "invalid_event");
      }
      const r = await db.rpc<Record<string, unknown>>("revoke_refunded_purchase", {
        p_event_id: event.id,
        p_payment_intent: pi,
        p_charge_amount: typeof charge.amount_captured === "number" && charge.amount_captured > 0
          ? charge.amount_captured
          : (typeof charge.amount === "number" ? charge.amount : null),
        p_amount_refunded: charge.amount_refunded,
      }, null);
      if (!r.matched) deps.log(`stripe-webhook: refund event ${event.id} matches no credit purchase`);
      return json({ received: true, matched: r.matched, applied: r.applied, credits_taken_back: r.credits_taken_back ?? 0 });
    }

    if (!type.startsWith("checkout.session.")) return json({ received: true, ignored: type });
    const session = object as Session;
    if (typeof session.id !== "string" || !session.id) return errorJson(400, "event has no checkout session id", "invalid_event");

    const grant = async () => {
      const credits = Number(session.metadata?.credits);
      const r = await db.rpc<{ granted: boolean }>("grant_purchase", {
        p_stripe_session_id: session.id,
        p_user_id: session.client_reference_id ?? session.metadata?.user_id ?? null,
        p_credits: Number.isInteger(credits) && credits > 0 ? credits : null,
        p_amount_cents: typeof session.amount_total === "number" && session.amount_total > 0 ? session.amount_total : null,
        p_pack_id: session.metadata?.pack_id ?? null,
      }, null);
      const pi = idOf(session.payment_intent);
      if (pi) await db.rpc("record_payment_intent", { p_stripe_session_id: session.id, p_payment_intent: pi }, null);
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
