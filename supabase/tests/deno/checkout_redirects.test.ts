// create-checkout's success_url / cancel_url: the allow-list (functions/_shared/redirects.ts), unit cases and
// through the handler against the fake Stripe (which keeps the URLs it was given on the session).
import { createHandler as checkout } from "../../functions/create-checkout/handler.ts";
import { checkRedirectUrl, parseAllowlist, redirectAllowlist } from "../../functions/_shared/redirects.ts";
import { assert, assertEquals, assertMatch, call, envTest } from "./_helpers.ts";

const ALLOW = redirectAllowlist("https://echoes.invalid/paid, https://shop.example:8443 loopback",
  ["https://echoes.invalid/cancel?x=1"]);

function refused(url: unknown): string {
  try {
    checkRedirectUrl(url, "success_url", ALLOW);
  } catch (e) {
    return (e as { code?: string }).code ?? "thrown";
  }
  return "accepted";
}

Deno.test("redirects: allowed origins, path prefixes at a segment boundary, loopback on any port", () => {
  assertEquals(checkRedirectUrl("https://echoes.invalid/paid?session_id={CHECKOUT_SESSION_ID}", "success_url", ALLOW),
    "https://echoes.invalid/paid?session_id={CHECKOUT_SESSION_ID}", "the placeholder reaches Stripe as it is");
  assertEquals(checkRedirectUrl("https://echoes.invalid/paid/thanks", "success_url", ALLOW), "https://echoes.invalid/paid/thanks");
  assertEquals(checkRedirectUrl("https://ECHOES.invalid/paid", "success_url", ALLOW), "https://echoes.invalid/paid", "normalised");
  assertEquals(checkRedirectUrl("https://shop.example:8443/anything/at/all", "cancel_url", ALLOW), "https://shop.example:8443/anything/at/all");
  assertEquals(checkRedirectUrl("https://echoes.invalid/cancel", "cancel_url", ALLOW), "https://echoes.invalid/cancel", "the server's own page");
  assertEquals(checkRedirectUrl("http://127.0.0.1:41234/checkout/done", "success_url", ALLOW), "http://127.0.0.1:41234/checkout/done");
  assertEquals(checkRedirectUrl("http://[::1]:9/x", "success_url", ALLOW), "http://[::1]:9/x");
});

Deno.test("redirects: open-redirect tricks, other schemes and malformed URLs are refused", () => {
  for (const url of [
    "https://evil.example/?x=https://echoes.invalid/paid",
    "https://evil.example/echoes.invalid/paid",
    "https://echoes.invalid.evil.example/paid",
    "https://echoes.invalid@evil.example/paid",
    "https://user:pw@echoes.invalid/paid",
    "https://evil.example\\@echoes.invalid/paid",
    "https://echoes.invalid/paidx",
    "https://echoes.invalid/paid/../admin",
    "https://echoes.invalid/paid/%2e%2e/admin",
    "https://echoes.invalid/paid%2f..%2fadmin",
    "https://echoes.invalid/other",
    "https://echoes.invalid/paid#frag",
    "http://echoes.invalid/paid",
    "https://echoes.invalid:444/paid",
    "https://shop.example/anything",
    "javascript:alert(1)//https://echoes.invalid/paid",
    "data:text/html,hi",
    "ftp://echoes.invalid/paid",
    "//echoes.invalid/paid",
    "/paid",
    "https://echoes.invalid/paid\n",
    " https://echoes.invalid/paid",
    "http://localhost:8080/x",
    "http://127.0.0.2:8080/x",
    "http://127.0.0.1.evil.example/x",
    "https://127.0.0.1:8080/x",
    "https://echoes.invalid/paid?" + "a".repeat(2100),
    42,
    ["https://echoes.invalid/paid"],
  ]) {
    assertEquals(refused(url), "invalid_redirect_url", JSON.stringify(url));
  }
});

Deno.test("redirects: malformed allow-list entries are dropped, plain http only for loopback hosts", () => {
  const bad: string[] = [];
  const entries = parseAllowlist("https://ok.example/p, not a url, http://plain.example, ftp://x.example, http://127.0.0.1:5000/", bad);
  assertEquals(entries.length, 2);
  assertEquals(bad, ["not", "a", "url", "http://plain.example", "ftp://x.example"]);
  assertEquals(refused("http://plain.example/"), "invalid_redirect_url");
  // an empty allow-list still takes the server's own pages, and nothing else
  const own = redirectAllowlist("", ["https://echoes.invalid/paid?session_id={CHECKOUT_SESSION_ID}"]);
  assertEquals(checkRedirectUrl("https://echoes.invalid/paid", "success_url", own), "https://echoes.invalid/paid");
  let code = "";
  try {
    checkRedirectUrl("http://127.0.0.1:1/x", "success_url", own);
  } catch (e) {
    code = (e as { code: string }).code;
  }
  assertEquals(code, "invalid_redirect_url", "loopback only when the allow-list says so");
});

envTest("create-checkout: allowed success_url / cancel_url reach Stripe, refused ones are a 400 and no session", async (env) => {
  const u = await env.signUp();
  const h = checkout(env.deps({ config: { checkoutRedirectAllowlist: "https://shop.example/thanks loopback" } }));
  const ok = await call(h, u.token, { pack_id: "pack_10", success_url: "https://shop.example/thanks?id={CHECKOUT_SESSION_ID}",
    cancel_url: "http://127.0.0.1:43210/cancelled" });
  const body = await ok.json();
  assertEquals(ok.status, 200, JSON.stringify(body));
  const s = env.stripe.sessions.get(body.session_id)!;
  assertEquals([s.success_url, s.cancel_url], ["https://shop.example/thanks?id={CHECKOUT_SESSION_ID}", "http://127.0.0.1:43210/cancelled"]);

  for (const bad of [{ success_url: "https://evil.example/?x=https://shop.example/thanks" }, { cancel_url: "https://shop.example@evil.example/thanks" },
    { success_url: "javascript:alert(1)" }, { cancel_url: 7 }]) {
    const res = await call(h, u.token, { pack_id: "pack_10", ...bad });
    const err = await res.json();
    assertEquals([res.status, err.code], [400, "invalid_redirect_url"], JSON.stringify(bad));
    assertMatch(err.error, /^(success_url|cancel_url) is not allowed/);
  }
  assertEquals(env.stripe.server.calls.length, 1, "nothing refused reached Stripe");
  const [n] = await env.standin.sql`select count(*)::int as n from public.payments where user_id = ${u.id}`;
  assertEquals(n.n, 1, "no payment recorded for a refused request");

  // none sent (or empty): the configured pages
  const dflt = await (await call(h, u.token, { pack_id: "pack_10", success_url: "", cancel_url: null })).json();
  const d = env.stripe.sessions.get(dflt.session_id)!;
  assertEquals([d.success_url, d.cancel_url], ["https://echoes.invalid/paid?session_id={CHECKOUT_SESSION_ID}", "https://echoes.invalid/cancel"]);
  assert(env.logs.every((l) => !l.includes("shop.example")), "nothing about the URLs logged");
});
