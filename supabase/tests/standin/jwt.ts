// HS256 JWT sign/verify with crypto.subtle (test stand-in only).
const enc = new TextEncoder();

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function b64urlDecode(s: string): Uint8Array<ArrayBuffer> {
  const p = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  return Uint8Array.from(atob(p), (c) => c.charCodeAt(0));
}
async function key(secret: string) {
  return await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

export async function signJwt(claims: Record<string, unknown>, secret: string): Promise<string> {
  const head = b64url(enc.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const body = b64url(enc.encode(JSON.stringify(claims)));
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await key(secret), enc.encode(`${head}.${body}`)));
  return `${head}.${body}.${b64url(sig)}`;
}

export type JwtCheck = { claims: Record<string, unknown>; error?: undefined } | { claims?: undefined; error: "expired" | "invalid" };

/** Checks a token: its claims, or why it is refused ("expired" only for a genuine, correctly signed token). */
export async function checkJwt(token: string, secret: string, nowSec = Date.now() / 1000): Promise<JwtCheck> {
  const parts = token.split(".");
  if (parts.length !== 3) return { error: "invalid" };
  try {
    const header = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[0])));
    if (header.alg !== "HS256") return { error: "invalid" };
    const ok = await crypto.subtle.verify("HMAC", await key(secret), b64urlDecode(parts[2]), enc.encode(`${parts[0]}.${parts[1]}`));
    if (!ok) return { error: "invalid" };
    const claims = JSON.parse(new TextDecoder().decode(b64urlDecode(parts[1])));
    if (!claims || typeof claims !== "object") return { error: "invalid" };
    if (typeof claims.exp === "number" && claims.exp < nowSec) return { error: "expired" };
    return { claims };
  } catch {
    return { error: "invalid" };
  }
}

/** Returns the claims of a valid, unexpired token, else null. */
export async function verifyJwt(token: string, secret: string, nowSec = Date.now() / 1000): Promise<Record<string, unknown> | null> {
  return (await checkJwt(token, secret, nowSec)).claims ?? null;
}
