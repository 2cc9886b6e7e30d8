// Stand-in OAuth with a fake Google: /auth/v1/authorize sends the browser straight back to a loopback redirect_to
// with ?code= (PKCE) and POST /token?grant_type=pkce exchanges it once; checked raw and with supabase-js.
import { createClient } from "npm:@supabase/supabase-js@2.119.1";
import { assert, assertEquals, envTest } from "./_helpers.ts";

const b64url = (b: Uint8Array) => btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

envTest("standin OAuth: PKCE with the fake Google — loopback redirect with a code, one exchange, GoTrue's errors", async (env) => {
  const s = env.standin;
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const redirect = "http://127.0.0.1:9/callback";
  const authorize = (q: Record<string, string>) => fetch(`${s.url}/auth/v1/authorize?${new URLSearchParams(q)}`, { redirect: "manual" });
  // the browser sends no apikey
  const r = await authorize({ provider: "google", redirect_to: redirect, code_challenge: challenge, code_challenge_method: "s256", login_hint: "Ada@Example.invalid" });
  await r.body?.cancel();
  assertEquals(r.status, 302);
  const back = new URL(r.headers.get("Location") ?? "");
  assertEquals(back.origin + back.pathname, redirect);
  const code = back.searchParams.get("code") ?? "";
  assert(code, "a code");
  const exchange = (body: unknown) => fetch(`${s.url}/auth/v1/token?grant_type=pkce`, { method: "POST", headers: { apikey: s.anonKey }, body: JSON.stringify(body) });
  const wrong = await exchange({ auth_code: code, code_verifier: verifier + "x" });
  assertEquals([wrong.status, (await wrong.json()).error_code], [403, "bad_code_verifier"]);
  const ok = await exchange({ auth_code: code, code_verifier: verifier });
  const sess = await ok.json();
  assertEquals([ok.status, sess.user.email, sess.user.app_metadata.provider], [200, "ada@example.invalid", "google"]);
  const me = await fetch(`${s.url}/auth/v1/user`, { headers: { apikey: s.anonKey, Authorization: `Bearer ${sess.access_token}` } });
  assertEquals((await me.json()).id, sess.user.id);
  const again = await exchange({ auth_code: code, code_verifier: verifier });
  assertEquals([again.status, (await again.json()).error_code], [404, "flow_state_not_found"], "a code works once");
  const empty = await exchange({ auth_code: "", code_verifier: verifier });
  assertEquals([empty.status, (await empty.json()).error_code], [400, "validation_failed"]);
  // the same Google account signs in to the same user
  const r2 = await authorize({ provider: "google", redirect_to: redirect, code_challenge: verifier, code_challenge_method: "plain", login_hint: "ada@example.invalid" });
  await r2.body?.cancel();
  const s2 = await (await exchange({ auth_code: new URL(r2.headers.get("Location")!).searchParams.get("code"), code_verifier: verifier })).json();
  assertEquals(s2.user.id, sess.user.id);
  // not an allowed redirect: back to the site URL instead; unknown provider refused
  const far = await authorize({ provider: "google", redirect_to: "https://evil.invalid/cb", code_challenge: challenge, code_challenge_method: "s256" });
  await far.body?.cancel();
  assert(far.headers.get("Location")?.startsWith(`${s.url}/?code=`), `${far.headers.get("Location")}`);
  const gh = await authorize({ provider: "github", redirect_to: redirect });
  assertEquals([gh.status, (await gh.json()).error_code], [400, "validation_failed"]);
  // no code_challenge: the implicit flow puts the session in the fragment
  const imp = await authorize({ provider: "google", redirect_to: redirect });
  await imp.body?.cancel();
  const frag = new URLSearchParams(new URL(imp.headers.get("Location")!).hash.slice(1));
  assert(frag.get("access_token") && frag.get("refresh_token"), "tokens in the fragment");
});

envTest("standin OAuth with supabase-js: signInWithOAuth (pkce) + exchangeCodeForSession", async (env) => {
  const s = env.standin;
  const sb = createClient(s.url, s.anonKey, { auth: { flowType: "pkce", persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } });
  const { data, error } = await sb.auth.signInWithOAuth({ provider: "google", options: { redirectTo: "http://127.0.0.1:9/cb", skipBrowserRedirect: true, queryParams: { login_hint: "grace@example.invalid" } } });
  assert(!error && data.url, `signInWithOAuth: ${error?.message}`);
  const r = await fetch(data.url, { redirect: "manual" });
  await r.body?.cancel();
  const code = new URL(r.headers.get("Location")!).searchParams.get("code")!;
  const ex = await sb.auth.exchangeCodeForSession(code);
  assertEquals([ex.error, ex.data.user?.email], [null, "grace@example.invalid"]);
  const me = await sb.auth.getUser();
  assertEquals(me.data.user?.id, ex.data.user?.id);
});
