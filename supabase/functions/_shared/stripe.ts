// Stripe over fetch: Checkout Session creation and webhook signature verification (crypto.subtle).
import type { Deps } from "./config.ts";
import type { CreditPack } from "./packs.ts";
import { HttpError } from "./http.ts";
import { RetryableError, retryAfterMs, withRetry } from "./retry.ts";

export interface CheckoutSession {
  id: string;
  url: string;
}

export interface CheckoutRedirects {
  successUrl: string;
  cancelUrl: string;
}

/** `redirects`: already checked against the allow-list (_shared/redirects.ts); default: the configured pages. */
export async function createCheckoutSession(deps: Deps, userId: string, email: string | undefined, pack: CreditPack,
  redirects?: CheckoutRedirects): Promise<CheckoutSession> {
  const c = deps.config;
  if (!c.stripeSecretKey) throw new HttpError(500, "payments are not configured", "not_configured");
  const form = new URLSearchParams();
  form.set("mode", "payment");
  form.set("client_reference_id", userId);
  form.set("metadata[user_id]", userId);
  form.set("metadata[pack_id]", pack.id);
  form.set("metadata[credits]", String(pack.credits));
  form.set("payment_intent_data[metadata][user_id]", userId);
  form.set("payment_intent_data[metadata][pack_id]", pack.id);
  form.set("line_items[0][price_data][currency]", pack.currency);
  form.set("line_items[0][price_data][unit_amount]", String(pack.amountCents));
  form.set("line_items[0][price_data][product_data][name]", pack.name);
  form.set("line_items[0][quantity]", "1");
  form.set("success_url", redirects?.successUrl ?? c.checkoutSuccessUrl);
  form.set("cancel_url", redirects?.cancelUrl ?? c.checkoutCancelUrl);
  if (email) form.set("customer_email", email);
  const idempotencyKey = crypto.randomUUID(); // same key on every retry of this one creation
  const session = await withRetry(async () => {
    let res: Response;
    try {
      res = await deps.fetch(`${c.stripeApiBase}/v1/checkout/sessions`, {
        method: "POST",
        headers: {
          "Authorization": `Bearer ${c.stripeSecretKey}`,
          "Content-Type": "application/x-www-form-urlencoded",
          "Idempotency-Key": idempotencyKey,
        },
        body: form.toString(),
        signal: AbortSignal.timeout(c.providerTimeoutMs),
      });
    } catch {
      throw new RetryableError("stripe network error");
    }
    const body = await res.json().catch(() => null);
    if (res.ok && body?.id && body?.url) return body as CheckoutSession;
    if (res.status === 429 || res.status >= 500) throw new RetryableError(`stripe HTTP ${res.status}`, retryAfterMs(res));
    throw new HttpError(502, `stripe rejected the checkout session (${res.status}${body?.error?.code ? ", " + body.error.code : ""})`, "stripe_error");
  }, { retries: c.providerRetries, baseMs: c.providerBackoffMs, sleep: deps.sleep, random: deps.random })
    .catch((e) => {
      if (e instanceof RetryableError) throw new HttpError(502, `stripe unavailable: ${e.message}`, "stripe_unavailable");
      throw e;
    });
  return { id: session.id, url: session.url };
}

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Verify a Stripe-Signature header ("t=…,v1=…[,v1=…]") over the exact raw body.
 * Returns null when valid, else a short reason. Tolerance in seconds (Stripe default 300).
 */
export async function verifyStripeSignature(rawBody: string, header: string | null, secret: string, nowMs: number, toleranceSec = 300): Promise<string | null> {
  if (!secret) return "webhook secret not configured";
  if (!header) return "missing Stripe-Signature header";
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === "t") t = /^\d+$/.test(v) ? Number(v) : null;
    else if (k === "v1") v1.push(v.toLowerCase());
  }
  if (t === null) return "signature has no timestamp";
  if (v1.length === 0) return "signature has no v1 entry";
  if (Math.abs(nowMs / 1000 - t) > toleranceSec) return "signature timestamp outside tolerance";
  const expected = await hmacSha256Hex(secret, `${t}.${rawBody}`);
  return v1.some((s) => timingSafeEqual(s, expected)) ? null : "signature mismatch";
}
