// Where Stripe Checkout may send the buyer back to: the client's success_url / cancel_url, checked
// against an allow-list (CHECKOUT_REDIRECT_ALLOWLIST) so create-checkout is never an open redirect.
//
// The allow-list is a comma- or whitespace-separated list of entries:
//   https://host[:port][/path]   the same scheme, host and port exactly, and a path equal to /path or
//                                below it (/path/…, or /path?… ); "https://site.example" allows the whole
//                                origin. Plain http is refused in an entry except for loopback hosts.
//   loopback                     http://127.0.0.1:<any port>/… and http://[::1]:<any port>/… — a page the
//                                app itself serves on this computer (like its Google sign-in redirect);
//                                never "localhost", which a hosts file or DNS can point elsewhere.
// The server's own CHECKOUT_SUCCESS_URL and CHECKOUT_CANCEL_URL are always allowed (as entries, without
// their query). A URL is refused when it is not absolute http(s), carries a user name or password, has
// a fragment, contains a backslash, whitespace or control character, is longer than MAX_URL_LENGTH, or
// names an encoded dot, slash or backslash in its path (%2e, %2f, %5c). What goes to Stripe is the
// parsed, normalised URL (dot segments resolved before the match), with {CHECKOUT_SESSION_ID} kept.
import { HttpError } from "./http.ts";

export const MAX_URL_LENGTH = 2048;

interface Entry {
  loopback: boolean;
  origin: string;
  path: string; // "/" or a prefix without a trailing slash
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]"]);

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

function parseEntry(text: string): Entry | null {
  if (text.toLowerCase() === "loopback") return { loopback: true, origin: "", path: "/" };
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return null;
  }
  if (u.username || u.password) return null;
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) return null;
  let path = u.pathname;
  while (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return { loopback: false, origin: u.origin, path };
}

/** The entries of an allow-list; malformed entries are dropped (and reported through `bad`). */
export function parseAllowlist(text: string, bad: string[] = []): Entry[] {
  const out: Entry[] = [];
  for (const item of text.split(/[\s,]+/)) {
    if (!item) continue;
    const e = parseEntry(item);
    if (e) out.push(e);
    else bad.push(item);
  }
  return out;
}

function pathAllowed(path: string, prefix: string): boolean {
  if (prefix === "/") return true;
  return path === prefix || path.startsWith(prefix + "/");
}

/**
 * Checks one redirect URL; returns the URL to give Stripe or throws HttpError 400 (code
 * `invalid_redirect_url`). `field` names the request member in the message.
 */
export function checkRedirectUrl(raw: unknown, field: string, allow: Entry[]): string {
  const refuse = (why: string): never => {
    throw new HttpError(400, `${field} is not allowed: ${why}`, "invalid_redirect_url");
  };
  if (typeof raw !== "string") return refuse("not a string");
  if (raw.length > MAX_URL_LENGTH) return refuse("too long");
  // deno-lint-ignore no-control-regex
  if (/[\s\\\u0000-\u001f\u007f]/.test(raw)) return refuse("whitespace, backslash or control character");
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return refuse("not an absolute URL");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return refuse("only https (or http on loopback)");
  if (u.username || u.password) return refuse("user information in the URL");
  if (u.hash) return refuse("fragment in the URL");
  const rawPath = raw.replace(/^[a-z]+:\/\/[^/?#]*/i, "").split(/[?#]/)[0];
  if (/%(2e|2f|5c)/i.test(rawPath)) return refuse("encoded dot, slash or backslash in the path");
  const ok = allow.some((e) => {
    if (e.loopback) return u.protocol === "http:" && isLoopbackHost(u.hostname) && pathAllowed(u.pathname, e.path);
    return u.origin === e.origin && pathAllowed(u.pathname, e.path);
  });
  if (!ok) return refuse("not on the server's allow-list");
  // URL keeps "{" and "}" in the query, so {CHECKOUT_SESSION_ID} reaches Stripe as it is
  return u.href;
}

/** The allow-list of a configuration: CHECKOUT_REDIRECT_ALLOWLIST plus the server's own two pages. */
export function redirectAllowlist(allowlist: string, defaults: string[]): Entry[] {
  const own = defaults.filter((d) => d).map((d) => d.split(/[?#]/)[0]);
  return parseAllowlist([allowlist, ...own].join(","));
}
