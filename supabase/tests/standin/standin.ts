// Local stand-in for the subset of the Supabase HTTP API that Echoes uses (Auth, PostgREST,
// Storage, Edge Functions). Every data request runs against the REAL PostgreSQL as the caller's
// role (anon / authenticated / service_role) with request.jwt.claims set, so real RLS, grants
// and RPCs apply. Test/dev only — see README.md for what it does not cover.
import postgres from "npm:postgres@3.4.5";
import { checkJwt, signJwt, verifyJwt } from "./jwt.ts";
import { Disk, type StoredObject } from "./disk.ts";

export interface StandinOptions {
  databaseUrl: string;
  jwtSecret?: string;
  port?: number;
  /** Edge Functions served at /functions/v1/<name>; given the stand-in's base URL and keys. */
  functions?: Record<string, { verifyJwt: boolean; handler: (req: Request) => Promise<Response> }>;
  refreshReuseIntervalMs?: number;
  /** Where sessions, objects and TUS uploads are kept across restarts; default: a temporary dir removed on close. */
  dataDir?: string;
  /** Bytes every TUS PATCH but the last must carry; default TUS_CHUNK (6 MiB) as on Supabase. */
  tusChunkSize?: number;
  /** Lifetime of a TUS upload URL (Upload-Expires); default 24 h. */
  tusExpiryMs?: number;
}

/** Every TUS PATCH but the last must carry exactly this many bytes, as on Supabase. */
export const TUS_CHUNK = 6 * 1024 * 1024;

export interface Standin {
  url: string;
  anonKey: string;
  serviceKey: string;
  jwtSecret: string;
  sql: ReturnType<typeof postgres>;
  storage: { get(key: string): StoredObject | undefined };
  dataDir: string;
  mintUserToken(userId: string, email?: string, ttlSec?: number, sessionId?: string): Promise<string>;
  close(): Promise<void>;
}

type Claims = Record<string, unknown> & { role: string; sub?: string };
const ROLES = new Set(["anon", "authenticated", "service_role"]);
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

class ApiError extends Error {
  constructor(public status: number, public body: Record<string, unknown>, public headers: Record<string, string> = {}) {
    super(String(body.message ?? body.msg ?? body.error ?? status));
  }
}

const j = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(body === null ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

function ident(name: string): string {
  if (!IDENT.test(name)) throw new ApiError(400, { code: "PGRST100", message: `invalid identifier "${name}"` });
  return `"${name}"`;
}

/** Splits on commas outside parentheses and double quotes. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0, quoted = false, cur = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === "\\" && i + 1 < s.length) {
        cur += c + s[++i];
        continue;
      }
      if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += c;
  }
  if (quoted || depth !== 0) throw new ApiError(400, { code: "PGRST100", message: "unbalanced quotes or parentheses" });
  out.push(cur.trim());
  return out;
}
const unquote = (v: string) => /^".*"$/s.test(v) ? v.slice(1, -1).replace(/\\(.)/g, "$1") : v;

function pgError(e: unknown, role: string): ApiError {
  const err = e as { code?: string; message?: string; detail?: string; hint?: string };
  const code = err.code ?? "XX000";
  let status = 400;
  if (/^PT\d{3}$/.test(code)) status = Number(code.slice(2));
  else if (code === "23505" || code === "23503") status = 409;
  else if (code === "42501") status = role === "anon" ? 401 : 403;
  else if (code === "42883" || code === "42P01") status = 404;
  else if (code.startsWith("08") || code.startsWith("53")) status = 503;
  else if (code.startsWith("40") || code === "XX000") status = 500;
  return new ApiError(status, { code, message: err.message ?? "database error", details: err.detail ?? null, hint: err.hint ?? null });
}

/** The parts of a multipart body: lower-cased headers and the bytes. */
function multipartParts(buf: Uint8Array, boundary: string): { headers: Record<string, string>; body: Uint8Array }[] {
  const enc = new TextEncoder();
  const delim = enc.encode(`--${boundary}`);
  const find = (needle: Uint8Array, from: number) => {
    outer: for (let i = from; i <= buf.length - needle.length; i++) {
      for (let k = 0; k < needle.length; k++) if (buf[i + k] !== needle[k]) continue outer;
      return i;
    }
    return -1;
  };
  const parts: { headers: Record<string, string>; body: Uint8Array }[] = [];
  let at = find(delim, 0);
  while (at >= 0) {
    let start = at + delim.length;
    if (buf[start] === 45 && buf[start + 1] === 45) break; // "--": the closing delimiter
    start += 2; // CRLF
    const headEnd = find(enc.encode("\r\n\r\n"), start);
    if (headEnd < 0) break;
    const headers: Record<string, string> = {};
    for (const line of new TextDecoder().decode(buf.subarray(start, headEnd)).split("\r\n")) {
      const i = line.indexOf(":");
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const next = find(enc.encode(`\r\n--${boundary}`), headEnd + 4);
    if (next < 0) break;
    parts.push({ headers, body: buf.slice(headEnd + 4, next) });
    at = next + 2;
  }
  return parts;
}

export async function startStandin(opts: StandinOptions): Promise<Standin> {
  const jwtSecret = opts.jwtSecret ?? "standin-jwt-secret-for-tests-only";
  // Filter values and RPC arguments are text that PostgreSQL parses, as PostgREST passes them: postgres.js's
  // default serializer would turn a string for a date/timestamp parameter into a JS Date, dropping its
  // microseconds (an `updated_at=eq.<a time the server returned>` would then never match).
  const timestamps = {
    to: 1184,
    from: [1082, 1114, 1184],
    serialize: (x: unknown) => x instanceof Date ? x.toISOString() : String(x),
    parse: (x: string) => new Date(x),
  };
  const sql = postgres(opts.databaseUrl, { max: 20, onnotice: () => {}, idle_timeout: 2, connect_timeout: 5, types: { date: timestamps } });
  const disk = await Disk.open(opts.dataDir);
  const anonKey = await signJwt({ role: "anon", iss: "supabase-standin" }, jwtSecret);
  const serviceKey = await signJwt({ role: "service_role", iss: "supabase-standin" }, jwtSecret);
  const reuseMs = opts.refreshReuseIntervalMs ?? 10_000;
  // GoTrue state, persisted in <dataDir>/auth.json: sessions (the JWT's session_id) and their refresh tokens
  // (rotation with a reuse interval; a later reuse revokes every refresh token of the session; sign-out deletes
  // sessions and their tokens). Like on Supabase only Auth checks sessions: PostgREST and Storage accept an access
  // token until it expires.
  type RefreshState = { userId: string; family: string; revokedAt: number | null; child: string | null };
  type FlowState = { userId: string; challenge: string; method: string; createdAt: number };
  const authState = disk.readJson<{ sessions: Record<string, { userId: string; createdAt: number }>; refresh: Record<string, RefreshState>;
    flows?: Record<string, FlowState> }>("auth.json", { sessions: {}, refresh: {} });
  const sessions = new Map(Object.entries(authState.sessions));
  const refresh = new Map(Object.entries(authState.refresh));
  const flows = new Map(Object.entries(authState.flows ?? {})); // PKCE: auth code -> flow state (5 minutes, used once)
  const saveAuth = () => disk.writeJson("auth.json", { sessions: Object.fromEntries(sessions), refresh: Object.fromEntries(refresh),
    flows: Object.fromEntries(flows) });
  const dropSession = (sid: string) => {
    sessions.delete(sid);
    for (const [t, st] of refresh) if (st.family === sid) refresh.delete(t);
  };
  const ac = new AbortController();
  let baseUrl = "";

  /** A user access token; without sessionId it belongs to a new (persisted) session, as after a sign-in. */
  async function mintUserToken(userId: string, email?: string, ttlSec = 3600, sessionId?: string) {
    const now = Math.floor(Date.now() / 1000);
    const sid = sessionId ?? crypto.randomUUID();
    if (!sessions.has(sid)) {
      sessions.set(sid, { userId, createdAt: Date.now() });
      saveAuth();
    }
    return await signJwt({ sub: userId, role: "authenticated", aud: "authenticated", email, iat: now, exp: now + ttlSec,
      iss: `${baseUrl}/auth/v1`, session_id: sid, aal: "aal1", amr: [{ method: "password", timestamp: now }], is_anonymous: false,
      app_metadata: { provider: "email", providers: ["email"] } }, jwtSecret);
  }

  const bearer = (req: Request) => req.headers.get("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? null;

  /** The API gateway: every request needs an apikey (header or ?apikey=) that is one of the project's keys. */
  async function gateway(req: Request, url: URL): Promise<Response | null> {
    const key = req.headers.get("apikey") ?? url.searchParams.get("apikey");
    if (!key) {
      return j({ message: "No API key found in request", hint: "No `apikey` request header or url param was found." }, 401);
    }
    const c = await verifyJwt(key, jwtSecret, 0);
    if (!c || (c.role !== "anon" && c.role !== "service_role")) {
      return j({ message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." }, 401);
    }
    return null;
  }

  /** PostgREST's JWT check: the Bearer token, else the apikey; PGRST303 for an expired one, PGRST301 for a bad one. */
  async function claimsOf(req: Request): Promise<Claims> {
    const token = bearer(req) ?? req.headers.get("apikey") ?? new URL(req.url).searchParams.get("apikey") ?? "";
    const r = await checkJwt(token, jwtSecret);
    if (r.error === "expired") {
      throw new ApiError(401, { code: "PGRST303", details: null, hint: null, message: "JWT expired" },
        { "WWW-Authenticate": 'Bearer error="invalid_token", error_description="JWT expired"' });
    }
    if (!r.claims || !ROLES.has(String(r.claims.role))) {
      const why = r.claims ? "role claim missing or unknown" : "JWSError JWSInvalidSignature";
      throw new ApiError(401, { code: "PGRST301", details: null, hint: null, message: why },
        { "WWW-Authenticate": `Bearer error="invalid_token", error_description="${why}"` });
    }
    return r.claims as Claims;
  }

  async function asRole<T>(claims: Claims, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
    try {
      return await sql.begin(async (tx) => {
        await tx.unsafe(`set local role ${claims.role}`);
        await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
        return await fn(tx);
      }) as T;
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw pgError(e, claims.role);
    }
  }

  // ---------------- auth ----------------
  function userJson(u: Record<string, unknown>) {
    return { id: u.id, aud: "authenticated", role: "authenticated", email: u.email, email_confirmed_at: u.email_confirmed_at,
      phone: "", app_metadata: u.raw_app_meta_data, user_metadata: u.raw_user_meta_data, identities: [],
      created_at: u.created_at, last_sign_in_at: u.last_sign_in_at, is_anonymous: false };
  }
  async function session(u: Record<string, unknown>, family: string = crypto.randomUUID()) {
    const rt = crypto.randomUUID().replace(/-/g, "").slice(0, 12);
    refresh.set(rt, { userId: String(u.id), family, revokedAt: null, child: null });
    const access = await mintUserToken(String(u.id), String(u.email ?? ""), 3600, family);
    saveAuth();
    const now = Math.floor(Date.now() / 1000);
    return { access_token: access, token_type: "bearer", expires_in: 3600, expires_at: now + 3600, refresh_token: rt, user: userJson(u) };
  }
  // GoTrue's error body: {code: <HTTP status>, error_code, msg}, or {code: <error_code>, message} when the request asks
  // for API version 2024-01-01 (as supabase-js does), answered with the same X-Supabase-Api-Version header.
  function authErr(req: Request, status: number, code: string, msg: string) {
    if (req.headers.get("X-Supabase-Api-Version") === "2024-01-01") {
      return j({ code, message: msg }, status, { "X-Supabase-Api-Version": "2024-01-01" });
    }
    return j({ code: status, error_code: code, msg }, status);
  }
  /** GoTrue's requireAuthentication: the Bearer JWT, its user and its session must exist. */
  async function authUser(req: Request): Promise<{ claims: Record<string, unknown>; user: Record<string, unknown> } | Response> {
    const token = bearer(req);
    if (!token) return authErr(req, 401, "no_authorization", "This endpoint requires a Bearer token");
    const r = await checkJwt(token, jwtSecret);
    if (r.error) {
      const why = r.error === "expired" ? "token has invalid claims: token is expired" : "token signature is invalid: signature is invalid";
      return authErr(req, 403, "bad_jwt", `invalid JWT: unable to parse or verify signature, ${why}`);
    }
    const claims = r.claims;
    if (!claims.sub) return authErr(req, 403, "bad_jwt", "invalid claim: missing sub claim");
    const [u] = await sql`select * from auth.users where id::text = ${String(claims.sub)}`;
    if (!u) return authErr(req, 403, "user_not_found", "User from sub claim in JWT does not exist");
    if (claims.session_id && !sessions.has(String(claims.session_id))) {
      return authErr(req, 403, "session_not_found", "Session from session_id claim in JWT does not exist");
    }
    return { claims, user: u };
  }
  /** Where /authorize may send the browser back to: loopback URLs and the app's own scheme; else the site URL. */
  const allowedRedirect = (to: string | null) => {
    if (!to) return null;
    try {
      const u = new URL(to);
      if (u.protocol === "echoes:") return u;
      if ((u.protocol === "http:" || u.protocol === "https:") && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) return u;
    } catch { /* not a URL */ }
    return null;
  };
  const b64url = (b: Uint8Array) => btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  /** OAuth sign-in with a fake Google: no consent screen, the browser comes straight back to redirect_to with
   *  ?code= (PKCE, when a code_challenge was sent) or #access_token=… (implicit flow). The Google account is
   *  `login_hint` (default google.user@standin.invalid); it is created on first use. */
  async function authorize(req: Request, url: URL): Promise<Response> {
    const provider = url.searchParams.get("provider");
    if (provider !== "google") return authErr(req, 400, "validation_failed", "Unsupported provider: provider is not enabled");
    const challenge = url.searchParams.get("code_challenge");
    const method = (url.searchParams.get("code_challenge_method") ?? "plain").toLowerCase();
    if (challenge && !["s256", "plain"].includes(method)) return authErr(req, 400, "validation_failed", "Unsupported code challenge method");
    const email = (url.searchParams.get("login_hint") ?? "google.user@standin.invalid").toLowerCase();
    const [found] = await sql`select * from auth.users where email = ${email}`;
    const [u] = found ? [found] : await sql`insert into auth.users (email, raw_app_meta_data, raw_user_meta_data)
      values (${email}, ${sql.json({ provider: "google", providers: ["google"] })}, ${sql.json({ full_name: "Standin Google User", email })}) returning *`;
    await sql`update auth.users set last_sign_in_at = now() where id = ${u.id}`;
    const back = allowedRedirect(url.searchParams.get("redirect_to")) ?? new URL(`${baseUrl}/`);
    if (challenge) {
      const code = crypto.randomUUID();
      flows.set(code, { userId: String(u.id), challenge, method, createdAt: Date.now() });
      saveAuth();
      back.searchParams.set("code", code);
    } else {
      const sess = await session(u);
      back.hash = new URLSearchParams({ access_token: sess.access_token, expires_at: String(sess.expires_at), expires_in: "3600",
        provider_token: "fake-google-token", refresh_token: sess.refresh_token, token_type: "bearer" }).toString();
    }
    return new Response(null, { status: 302, headers: { Location: back.toString() } });
  }
  async function auth(req: Request, path: string, url: URL): Promise<Response> {
    if (path === "/authorize" && req.method === "GET") return await authorize(req, url);
    if (path === "/signup" && req.method === "POST") {
      const b = await req.json().catch(() => null);
      if (!b?.email || !b?.password) return authErr(req, 400, "validation_failed", "email and password are required");
      if (String(b.password).length < 6) return authErr(req, 422, "weak_password", "Password should be at least 6 characters");
      try {
        const [u] = await sql`insert into auth.users (email, encrypted_password, raw_user_meta_data)
          values (${String(b.email).toLowerCase()}, extensions.crypt(${String(b.password)}, extensions.gen_salt('bf', 4)), ${sql.json(b.data ?? {})})
          returning *`;
        return j(await session(u));
      } catch (e) {
        if ((e as { code?: string }).code === "23505") return authErr(req, 422, "user_already_exists", "User already registered");
        throw e;
      }
    }
    if (path === "/token" && req.method === "POST") {
      const b = await req.json().catch(() => null);
      const grant = url.searchParams.get("grant_type");
      if (grant === "password") {
        const [u] = await sql`update auth.users set last_sign_in_at = now()
          where email = ${String(b?.email ?? "").toLowerCase()} and encrypted_password = extensions.crypt(${String(b?.password ?? "")}, encrypted_password)
          returning *`;
        if (!u) return authErr(req, 400, "invalid_credentials", "Invalid login credentials");
        return j(await session(u));
      }
      if (grant === "pkce") {
        const code = String(b?.auth_code ?? ""), verifier = String(b?.code_verifier ?? "");
        if (!code || !verifier) return authErr(req, 400, "validation_failed", "invalid request: both auth code and code verifier should be non-empty");
        const flow = flows.get(code);
        if (!flow) return authErr(req, 404, "flow_state_not_found", "invalid flow state, no valid flow state found");
        if (Date.now() - flow.createdAt > 5 * 60_000) {
          flows.delete(code);
          saveAuth();
          return authErr(req, 400, "flow_state_expired", "invalid flow state, flow state has expired");
        }
        const computed = flow.method === "s256"
          ? b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))))
          : verifier;
        if (computed !== flow.challenge) return authErr(req, 403, "bad_code_verifier", "code challenge does not match previously saved code verifier");
        flows.delete(code);
        const [u] = await sql`select * from auth.users where id::text = ${flow.userId}`;
        if (!u) return authErr(req, 404, "user_not_found", "User not found");
        return j(await session(u));
      }
      if (grant === "refresh_token") {
        const rt = String(b?.refresh_token ?? "");
        const st = refresh.get(rt);
        if (!st || !sessions.has(st.family)) return authErr(req, 400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
        const [u] = await sql`select * from auth.users where id::text = ${st.userId}`;
        if (!u) return authErr(req, 400, "user_not_found", "User not found");
        if (st.revokedAt !== null) {
          const child = st.child ? refresh.get(st.child) : undefined;
          if (child && child.revokedAt === null && Date.now() - st.revokedAt <= reuseMs) {
            // reuse interval: the just-rotated parent returns the session's active child
            const access = await mintUserToken(st.userId, String(u.email ?? ""), 3600, st.family);
            const now = Math.floor(Date.now() / 1000);
            return j({ access_token: access, token_type: "bearer", expires_in: 3600, expires_at: now + 3600, refresh_token: st.child, user: userJson(u) });
          }
          // reuse detected: every refresh token of the session is revoked (the session must sign in again)
          for (const t of refresh.values()) if (t.family === st.family) t.revokedAt ??= Date.now();
          saveAuth();
          return authErr(req, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
        }
        const next = await session(u, st.family);
        st.revokedAt = Date.now();
        st.child = next.refresh_token;
        saveAuth();
        return j(next);
      }
      return authErr(req, 400, "unsupported_grant_type", "unsupported grant_type");
    }
    if (path === "/recover" && req.method === "POST") {
      // password-reset request: answered 200 {} whether or not the address has an account (no mail is sent)
      const b = await req.json().catch(() => null);
      if (!b?.email) return authErr(req, 400, "validation_failed", "Password recovery requires an email");
      return j({});
    }
    if (path === "/user" && req.method === "GET") {
      const a = await authUser(req);
      return a instanceof Response ? a : j(userJson(a.user));
    }
    if (path === "/logout" && req.method === "POST") {
      const a = await authUser(req);
      if (a instanceof Response) return a;
      const scope = url.searchParams.get("scope") ?? "global";
      if (!["global", "local", "others"].includes(scope)) return authErr(req, 400, "validation_failed", "Unsupported logout scope");
      const sid = String(a.claims.session_id ?? "");
      for (const [id, ses] of [...sessions]) {
        if (ses.userId !== a.claims.sub) continue;
        if (scope === "global" || (scope === "local" && id === sid) || (scope === "others" && id !== sid)) dropSession(id);
      }
      saveAuth();
      return new Response(null, { status: 204 });
    }
    return authErr(req, 404, "not_found", "unsupported auth endpoint in stand-in");
  }

  // ---------------- PostgREST ----------------
  // one condition "op.value" (optionally "not.op.value") on a column
  function condition(col: string, raw: string, params: unknown[], inTree = false): string {
    const m = /^(not\.)?(eq|neq|gt|gte|lt|lte|like|ilike|is|in)\.(.*)$/s.exec(raw);
    if (!m) throw new ApiError(400, { code: "PGRST100", message: `unsupported filter ${col}=${raw}` });
    const [, neg, op, val] = m;
    let cond: string;
    if (op === "is") {
      if (!["null", "true", "false"].includes(val)) throw new ApiError(400, { code: "PGRST100", message: "is. needs null/true/false" });
      cond = `${col} is ${val}`;
    } else if (op === "in") {
      const inner = /^\((.*)\)$/s.exec(val)?.[1];
      if (inner === undefined) throw new ApiError(400, { code: "PGRST100", message: "in. needs (a,b)" });
      // one untyped parameter per value, so that PostgreSQL parses each as the column's type (a
      // comparison as text would miss times, numbers or uuids written another way)
      const values = inner === "" ? [] : splitTop(inner).map(unquote);
      cond = values.length === 0 ? "false" : `${col} in (${values.map((v) => {
        params.push(v);
        return `$${params.length}`;
      }).join(", ")})`;
    } else {
      const sqlOp = { eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=", like: "like", ilike: "ilike" }[op]!;
      const v = inTree ? unquote(val) : val;
      params.push(op === "like" || op === "ilike" ? v.replace(/\*/g, "%") : v);
      cond = `${col} ${sqlOp} $${params.length}`;
    }
    return neg ? `not (${cond})` : cond;
  }
  // PostgREST logic trees: or=(a.eq.1,and(b.gt.2,c.is.null),not.or(…)); values may be "quoted, with commas"
  function logicTree(kind: string, body: string, params: unknown[], qual: string): string {
    const inner = /^\((.*)\)$/s.exec(body)?.[1];
    if (inner === undefined || inner.trim() === "") throw new ApiError(400, { code: "PGRST100", message: `${kind} needs (conditions)` });
    const neg = kind.startsWith("not.");
    const joiner = kind.endsWith("or") ? " or " : " and ";
    const parts = splitTop(inner).map((item) => {
      const g = /^((?:not\.)?(?:and|or))(\(.*\))$/s.exec(item);
      if (g) return logicTree(g[1], g[2], params, qual);
      const dot = item.indexOf(".");
      if (dot < 1) throw new ApiError(400, { code: "PGRST100", message: `bad condition "${item}" in ${kind}` });
      return condition(qual + ident(item.slice(0, dot)), item.slice(dot + 1), params, true);
    });
    const cond = `(${parts.join(joiner)})`;
    return neg ? `not ${cond}` : cond;
  }
  function filters(url: URL, params: unknown[], qual = ""): string {
    const where: string[] = [];
    for (const [k, raw] of url.searchParams) {
      if (["select", "order", "limit", "offset", "on_conflict", "columns", "apikey"].includes(k)) continue;
      if (/^[a-z_][a-z0-9_]*\./.test(k) && !/^not\.(and|or)$/.test(k)) continue; // <embed>.… shapes an embedded resource
      if (/^(not\.)?(and|or)$/.test(k)) where.push(logicTree(k, raw, params, qual));
      else where.push(condition(qual + ident(k), raw, params));
    }
    return where.length ? ` where ${where.join(" and ")}` : "";
  }
  /** The foreign key joining `from` and `to` (either direction); `hint` = constraint or column name (`clips!fk(…)`). */
  async function relation(from: string, to: string, hint?: string): Promise<{ many: boolean; on: [string, string][] }> {
    const [exists] = await sql`select to_regclass(${"public." + to}) is not null as ok`;
    if (!exists.ok) {
      throw new ApiError(400, { code: "PGRST200", details: `Searched for a foreign key relationship between '${from}' and '${to}' in the schema 'public', but no matches were found.`,
        hint: null, message: `Could not find a relationship between '${from}' and '${to}' in the schema cache` });
    }
    const rows = await sql`select c.conname, c.conrelid = ${"public." + from}::regclass as outgoing,
        (select array_agg(a.attname::text order by k.i) from unnest(c.conkey) with ordinality k(n, i)
           join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n) as src,
        (select array_agg(a.attname::text order by k.i) from unnest(c.confkey) with ordinality k(n, i)
           join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n) as dst
      from pg_constraint c where c.contype = 'f' and (
        (c.conrelid = ${"public." + from}::regclass and c.confrelid = ${"public." + to}::regclass) or
        (c.conrelid = ${"public." + to}::regclass and c.confrelid = ${"public." + from}::regclass))`;
    const found = hint ? rows.filter((r) => r.conname === hint || (r.src as string[]).includes(hint)) : rows;
    if (found.length === 0) {
      throw new ApiError(400, { code: "PGRST200", details: `Searched for a foreign key relationship between '${from}' and '${to}' in the schema 'public', but no matches were found.`,
        hint: null, message: `Could not find a relationship between '${from}' and '${to}' in the schema cache` });
    }
    if (found.length > 1) {
      throw new ApiError(300, { code: "PGRST201", details: found.map((r) => r.conname), hint: `Try changing '${to}' to one of the constraint names, e.g. '${to}!${found[0].conname}'`,
        message: `Could not embed because more than one relationship was found for '${from}' and '${to}'` });
    }
    const r = found[0];
    const src = r.src as string[], dst = r.dst as string[];
    // outgoing: from.src -> to.dst (many-to-one, an object); incoming: to.src -> from.dst (one-to-many, an array)
    return r.outgoing ? { many: false, on: src.map((c, i) => [dst[i], c]) } : { many: true, on: src.map((c, i) => [c, dst[i]]) };
  }
  /** The select list (columns, `alias:col`, `*`, and resource embeds `name(…)` / `alias:name!hint(…)` over foreign keys,
   *  nested; `<embed>.col=op.val`, `<embed>.order=…` and `<embed>.limit=n` shape an embedded array). */
  async function selectList(table: string, alias: string, sel: string | null, url: URL, params: unknown[], path = "", depth = 0): Promise<string> {
    const out: string[] = [];
    for (const raw of splitTop(sel && sel.trim() ? sel : "*")) {
      const item = raw.trim();
      const em = /^(?:([a-z_][a-z0-9_]*):)?([a-z_][a-z0-9_]*)(?:!([a-z_][a-z0-9_]*))?\((.*)\)$/s.exec(item);
      if (em) {
        const [, al, name, hint, inner] = em;
        if (depth > 4) throw new ApiError(400, { code: "PGRST100", message: "embedding nested too deeply for the stand-in" });
        const rel = await relation(table, name, hint);
        const sub = `_t${depth + 1}`;
        const key = path ? `${path}.${al ?? name}` : (al ?? name);
        const cols = await selectList(name, sub, inner, url, params, key, depth + 1);
        const conds = rel.on.map(([inSub, inOuter]) => `${sub}.${ident(inSub)} = ${alias}.${ident(inOuter)}`);
        let order = "", limit = "";
        for (const [k, v] of url.searchParams) {
          if (!k.startsWith(key + ".")) continue;
          const rest = k.slice(key.length + 1);
          if (rest === "order") order = orderBy(v, `${sub}.`);
          else if (rest === "limit") limit = ` limit ${Number(v) | 0}`;
          else if (/^[a-z_][a-z0-9_]*$/.test(rest)) conds.push(condition(`${sub}.${ident(rest)}`, v, params));
        }
        const body = `select ${cols} from public.${ident(name)} ${sub} where ${conds.join(" and ")}${order}${limit}`;
        out.push(rel.many
          ? `coalesce((select json_agg(${sub}_r) from (${body}) ${sub}_r), '[]'::json) as ${ident(al ?? name)}`
          : `(select row_to_json(${sub}_r) from (${body}) ${sub}_r) as ${ident(al ?? name)}`);
        continue;
      }
      if (item === "*") {
        out.push(`${alias}.*`);
        continue;
      }
      const m = /^(?:([a-z_][a-z0-9_]*):)?([a-z_][a-z0-9_]*)$/.exec(item);
      if (!m) throw new ApiError(400, { code: "PGRST100", message: `unsupported select item "${item}" (casts and JSON paths are not supported by the stand-in)` });
      out.push(`${alias}.${ident(m[2])} as ${ident(m[1] ?? m[2])}`);
    }
    return out.join(", ");
  }
  function orderBy(o: string | null, qual = ""): string {
    if (!o) return "";
    return " order by " + o.split(",").map((p) => {
      // PostgREST's grammar: col[.asc|.desc][.nullsfirst|.nullslast]; anything else (e.g. `order=eq.3`, a filter on a
      // column named "order", which PostgREST cannot express) is a parse error, never ignored
      if (!/^[a-z_][a-z0-9_]*(\.(asc|desc))?(\.(nullsfirst|nullslast))?$/.test(p.trim())) {
        throw new ApiError(400, { code: "PGRST100", details: `unexpected "${p}" expecting column name, "asc", "desc", "nullsfirst" or "nullslast"`,
          hint: null, message: `"failed to parse order (${o})" (line 1, column 1)` });
      }
      const [c, ...mods] = p.trim().split(".");
      const dir = mods.includes("desc") ? " desc" : " asc";
      const nulls = mods.includes("nullsfirst") ? " nulls first" : mods.includes("nullslast") ? " nulls last" : "";
      return qual + ident(c) + dir + nulls;
    }).join(", ");
  }
  /** Page from ?limit/?offset, else from `Range: a-b` (Range-Unit items); the query parameters win. */
  function page(req: Request, url: URL): { offset: number; limit: number | null } {
    const num = (v: string | null, what: string) => {
      if (v === null) return null;
      if (!/^\d+$/.test(v)) throw new ApiError(400, { code: "PGRST100", message: `invalid ${what} "${v}"` });
      return Number(v);
    };
    let offset = num(url.searchParams.get("offset"), "offset");
    let limit = num(url.searchParams.get("limit"), "limit");
    const range = req.headers.get("Range");
    if (range && (req.headers.get("Range-Unit") ?? "items") === "items") {
      const m = /^(?:items=)?(\d+)-(\d*)$/.exec(range.trim());
      if (!m || (m[2] !== "" && Number(m[2]) < Number(m[1]))) {
        throw new ApiError(416, { code: "PGRST103", message: "Requested range not satisfiable", details: `invalid Range ${range}`, hint: null });
      }
      offset ??= Number(m[1]);
      if (m[2] !== "") limit ??= Number(m[2]) - Number(m[1]) + 1;
    }
    return { offset: offset ?? 0, limit };
  }
  function prefers(req: Request): Map<string, string> {
    const m = new Map<string, string>();
    for (const part of (req.headers.get("Prefer") ?? "").split(",")) {
      const [k, v = ""] = part.split("=").map((x) => x.trim());
      if (k) m.set(k, v);
    }
    return m;
  }
  /** PostgREST's Content-Range + status for a read: 206 for a partial page when the total is known, 416 past the end. */
  function rangeHeaders(offset: number, returned: number, total: number | null): { status: number; headers: Record<string, string> } {
    const upper = offset + returned - 1;
    const totalS = total === null ? "*" : String(total);
    const cr = returned === 0 ? `*/${totalS}` : `${offset}-${upper}/${totalS}`;
    let status = 200;
    if (total !== null) {
      if (offset > total) status = 416;
      else if (returned < total) status = 206;
    }
    return { status, headers: { "Content-Range": cr } };
  }
  function shape(req: Request, rows: unknown[], okStatus: number, method: string, extra: Record<string, string> = {}): Response {
    const prefer = req.headers.get("Prefer") ?? "";
    const single = (req.headers.get("Accept") ?? "").includes("application/vnd.pgrst.object+json");
    const wantRows = method === "GET" || prefer.includes("return=representation");
    if (single && wantRows) {
      if (rows.length !== 1) {
        return j({ code: "PGRST116", details: `The result contains ${rows.length} rows`, hint: null, message: "Cannot coerce the result to a single JSON object" }, 406);
      }
      return j(rows[0], okStatus, { ...extra, "Content-Type": "application/vnd.pgrst.object+json; charset=utf-8" });
    }
    if (!wantRows) return new Response(null, { status: method === "POST" ? 201 : 204, headers: extra });
    return j(rows, okStatus, extra);
  }
  async function primaryKey(table: string): Promise<string[]> {
    const rows = await sql`select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = ${"public." + table}::regclass and i.indisprimary order by array_position(i.indkey::int2[], a.attnum)`;
    if (rows.length === 0) throw new ApiError(400, { code: "PGRST100", message: `table ${table} has no primary key; pass on_conflict` });
    return rows.map((r) => ident(String(r.attname)));
  }
  async function rest(req: Request, path: string, url: URL): Promise<Response> {
    const claims = await claimsOf(req);
    const rpc = /^\/rpc\/([a-z_][a-z0-9_]*)$/.exec(path);
    if (rpc) {
      let args: Record<string, unknown> = {};
      if (req.method === "POST") {
        const text = await req.text();
        try {
          args = text ? JSON.parse(text) : {};
        } catch {
          throw new ApiError(400, { code: "PGRST102", message: "Empty or invalid json" });
        }
      } else if (req.method === "GET") {
        args = Object.fromEntries(url.searchParams);
      } else throw new ApiError(405, { message: "method not allowed" });
      const params: unknown[] = [];
      const named = Object.entries(args).map(([k, v]) => {
        params.push(v);
        return `${ident(k)} => $${params.length}`;
      });
      const rows = await asRole(claims, (tx) => tx.unsafe(`select to_jsonb(public.${ident(rpc[1])}(${named.join(", ")})) as r`, params as never[]));
      return j(rows[0]?.r ?? null);
    }
    const tm = /^\/([a-z_][a-z0-9_]*)$/.exec(path);
    if (!tm) throw new ApiError(404, { code: "PGRST125", message: "invalid path" });
    const table = `public.${ident(tm[1])}`;
    const params: unknown[] = [];
    orderBy(url.searchParams.get("order")); // parsed on writes too, so `order=eq.x` is an error rather than no filter
    if (req.method === "GET" || req.method === "HEAD") {
      const { offset, limit } = page(req, url);
      const count = /^(exact|planned|estimated)$/.test(prefers(req).get("count") ?? "");
      const where = filters(url, params);
      const cols = await selectList(tm[1], "_t0", url.searchParams.get("select"), url, params);
      const q = `select coalesce(json_agg(t), '[]'::json) as rows${count ? `, (select count(*) from ${table}${where}) as total` : ""}
                 from (select ${cols} from ${table} _t0${where}${orderBy(url.searchParams.get("order"))}${limit === null ? "" : ` limit ${limit}`} offset ${offset}) t`;
      const res = await asRole(claims, (tx) => tx.unsafe(q, params as never[]));
      const rows = res[0].rows as unknown[];
      const r = rangeHeaders(offset, rows.length, count ? Number(res[0].total) : null);
      if (r.status === 416) {
        return j({ code: "PGRST103", message: "Requested range not satisfiable", details: `An offset of ${offset} was requested, but there are only ${res[0].total} rows.`, hint: null }, 416, r.headers);
      }
      return shape(req, rows, r.status, "GET", r.headers);
    }
    if (req.method === "POST") {
      const text = await req.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError(400, { code: "PGRST102", message: "Empty or invalid json" });
      }
      const list = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
      if (list.length === 0 || list.some((r) => !r || typeof r !== "object")) throw new ApiError(400, { code: "PGRST102", message: "body must be an object or array of objects" });
      const cols = [...new Set(list.flatMap((r) => Object.keys(r)))].map(ident);
      params.push(list);
      const resolution = prefers(req).get("resolution");
      let onConflict = "";
      if (resolution === "merge-duplicates" || resolution === "ignore-duplicates") {
        const target = url.searchParams.get("on_conflict")?.split(",").map((c) => ident(c.trim())) ?? await primaryKey(tm[1]);
        const upd = cols.filter((c) => !target.includes(c));
        onConflict = resolution === "ignore-duplicates" || upd.length === 0
          ? ` on conflict (${target.join(", ")}) do nothing`
          : ` on conflict (${target.join(", ")}) do update set ${upd.map((c) => `${c} = excluded.${c}`).join(", ")}`;
      } else if (resolution) throw new ApiError(400, { code: "PGRST100", message: `unsupported resolution=${resolution}` });
      const q = `with ins as (insert into ${table} (${cols.join(", ")}) select ${cols.join(", ")} from json_populate_recordset(null::${table}, $1::json)${onConflict} returning *)
                 select coalesce(json_agg(t), '[]'::json) as rows from (select ${await selectList(tm[1], "_t0", url.searchParams.get("select"), url, params)} from ins _t0) t`;
      const rows = await asRole(claims, (tx) => tx.unsafe(q, params as never[]));
      return shape(req, rows[0].rows, 201, "POST");
    }
    if (req.method === "PATCH") {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await req.text());
      } catch {
        throw new ApiError(400, { code: "PGRST102", message: "Empty or invalid json" });
      }
      const cols = Object.keys(body ?? {}).map(ident);
      if (cols.length === 0) throw new ApiError(400, { code: "PGRST102", message: "nothing to update" });
      params.push(body);
      const where = filters(url, params, `${table}.`);
      if (!where) throw new ApiError(400, { code: "21000", message: "UPDATE requires a WHERE clause (filter)" });
      const q = `with upd as (update ${table} set ${cols.map((c) => `${c} = src.${c}`).join(", ")}
                   from json_populate_record(null::${table}, $1::json) src${where} returning ${table}.*)
                 select coalesce(json_agg(t), '[]'::json) as rows from (select ${await selectList(tm[1], "_t0", url.searchParams.get("select"), url, params)} from upd _t0) t`;
      const rows = await asRole(claims, (tx) => tx.unsafe(q, params as never[]));
      return shape(req, rows[0].rows, 200, "PATCH");
    }
    if (req.method === "DELETE") {
      const where = filters(url, params);
      if (!where) throw new ApiError(400, { code: "21000", message: "DELETE requires a WHERE clause (filter)" });
      const q = `with del as (delete from ${table}${where} returning *)
                 select coalesce(json_agg(t), '[]'::json) as rows from (select ${await selectList(tm[1], "_t0", url.searchParams.get("select"), url, params)} from del _t0) t`;
      const rows = await asRole(claims, (tx) => tx.unsafe(q, params as never[]));
      return shape(req, rows[0].rows, 200, "DELETE");
    }
    throw new ApiError(405, { message: "method not allowed" });
  }

  // ---------------- Storage ----------------
  // supabase/storage renders an error as {statusCode: "<its own status>", code, error, message} and answers it with
  // HTTP 400 (500 for server errors); TUS answers carry the real status.
  class StorageFail {
    constructor(public status: number, public code: string, public error: string, public message: string) {}
    render(tus = false, extra: Record<string, string> = {}) {
      return j({ statusCode: String(this.status), code: this.code, error: this.error, message: this.message },
        tus ? this.status : this.status >= 500 ? 500 : 400, extra);
    }
  }
  const notFound = () => new StorageFail(404, "NoSuchKey", "not_found", "Object not found");
  const invalidRequest = (m: string) => new StorageFail(400, "InvalidRequest", "InvalidRequest", m);
  const tusChunk = opts.tusChunkSize ?? TUS_CHUNK;
  const tusExpiryMs = opts.tusExpiryMs ?? 24 * 3600 * 1000;

  /** Storage's own JWT check (Bearer, else apikey): AccessDenied with jsonwebtoken's message. */
  async function storageClaims(req: Request): Promise<Claims> {
    const token = bearer(req) ?? req.headers.get("apikey") ?? "";
    const r = await checkJwt(token, jwtSecret);
    if (r.error || !ROLES.has(String(r.claims.role))) {
      throw new StorageFail(403, "AccessDenied", "Unauthorized", r.error === "expired" ? "jwt expired" : token.split(".").length === 3 ? "invalid signature" : "jwt malformed");
    }
    return r.claims as Claims;
  }
  /** Bucket existence, mime and size limits. */
  async function bucketCheck(bucket: string, ct: string, size: number): Promise<StorageFail | null> {
    const [b] = await sql`select * from storage.buckets where id = ${bucket}`;
    if (!b) return new StorageFail(404, "NoSuchBucket", "Bucket not found", "Bucket not found");
    if (b.allowed_mime_types && !b.allowed_mime_types.includes(ct)) return new StorageFail(415, "InvalidMimeType", "invalid_mime_type", `mime type ${ct} is not supported`);
    if (b.file_size_limit && size > Number(b.file_size_limit)) return new StorageFail(413, "EntityTooLarge", "Payload too large", "The object exceeded the maximum allowed size");
    return null;
  }
  /** Inserts (or upserts) the storage.objects row as the caller (RLS) and keeps the bytes on disk; the object id or a failure.
   *  dryRun: check only (the row is rolled back), as storage does when a TUS upload or a signed upload URL is created. */
  async function storeObject(claims: Claims, bucket: string, name: string, bytes: Uint8Array, ct: string, upsert: boolean, dryRun = false, size = bytes.length, limits = true): Promise<string | StorageFail> {
    if (!name || name.split("/").some((seg) => seg === "" || seg === "." || seg === "..")) return new StorageFail(400, "InvalidKey", "InvalidKey", `Invalid key: ${name}`);
    const bad = limits ? await bucketCheck(bucket, ct, size) : null;
    if (bad) return bad;
    const owner = claims.sub ?? null;
    const rollback = new ApiError(299, {});
    try {
      const rows = await asRole(claims, async (tx) => {
        const meta = sql.json({ size, mimetype: ct, eTag: "", cacheControl: "max-age=3600" });
        const r = await (upsert
          ? tx`insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values (${bucket}, ${name}, ${owner}, ${owner}, ${meta})
               on conflict (bucket_id, name) do update set metadata = excluded.metadata, updated_at = now() returning id`
          : tx`insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values (${bucket}, ${name}, ${owner}, ${owner}, ${meta}) returning id`);
        if (dryRun) throw rollback;
        const o = disk.putObject(`${bucket}/${name}`, bytes, ct);
        await tx`update storage.objects set metadata = metadata || ${sql.json({ eTag: o.etag })} where id = ${r[0].id}`;
        return r;
      });
      return String(rows[0].id);
    } catch (e) {
      if (e === rollback) return "";
      if (e instanceof ApiError && e.body.code === "23505") return new StorageFail(409, "KeyAlreadyExists", "Duplicate", "The resource already exists");
      if (e instanceof ApiError && e.body.code === "23503") return new StorageFail(404, "NoSuchBucket", "Bucket not found", "Bucket not found");
      if (e instanceof ApiError && (e.status === 403 || e.status === 401)) return new StorageFail(403, "AccessDenied", "Unauthorized", "new row violates row-level security policy");
      throw e;
    }
  }
  /** The bytes of an object as a response: ETag / If-None-Match (304), Range: bytes=… (206 + Content-Range). */
  function serveObject(req: Request, o: StoredObject, download: string | null): Response {
    const h: Record<string, string> = { "Content-Type": o.contentType, "ETag": o.etag, "Last-Modified": o.lastModified,
      "Accept-Ranges": "bytes", "Cache-Control": "max-age=3600" };
    if (download !== null) h["Content-Disposition"] = `attachment; filename="${download || "download"}"`;
    const inm = req.headers.get("If-None-Match");
    if (inm && inm.split(",").map((t) => t.trim()).includes(o.etag)) return new Response(null, { status: 304, headers: h });
    const range = req.headers.get("Range");
    let body = o.bytes, status = 200;
    if (range) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      let start = NaN, end = NaN;
      if (m && m[1] !== "") [start, end] = [Number(m[1]), m[2] === "" ? o.size - 1 : Math.min(Number(m[2]), o.size - 1)];
      else if (m && m[2] !== "") [start, end] = [Math.max(0, o.size - Number(m[2])), o.size - 1];
      if (!(start <= end) || start >= o.size) {
        return new StorageFail(416, "InvalidRange", "invalid_range", "invalid range provided").render(false, { "Content-Range": `bytes */${o.size}` });
      }
      body = o.bytes.subarray(start, end + 1);
      status = 206;
      h["Content-Range"] = `bytes ${start}-${end}/${o.size}`;
    }
    h["Content-Length"] = String(body.length);
    return new Response(req.method === "HEAD" ? null : body.slice(), { status, headers: h });
  }
  async function signToken(bucket: string, name: string, exp: number, extra: Record<string, unknown> = {}) {
    return await signJwt({ url: `${bucket}/${name}`, iat: Math.floor(Date.now() / 1000), exp, ...extra }, jwtSecret);
  }
  async function checkSignToken(token: string, bucket: string, name: string): Promise<Record<string, unknown> | StorageFail> {
    const r = await checkJwt(token, jwtSecret);
    if (r.error) return new StorageFail(400, "InvalidJWT", "InvalidJWT", r.error === "expired" ? "jwt expired" : "invalid signature");
    if (r.claims.url !== `${bucket}/${name}`) return new StorageFail(400, "InvalidSignature", "InvalidSignature", "Invalid signature");
    return r.claims;
  }
  /** The uploaded bytes and content type: a raw body, or multipart/form-data (what supabase-js sends for a Blob/File). */
  async function uploadBody(req: Request): Promise<{ bytes: Uint8Array; ct: string } | StorageFail> {
    const ct = (req.headers.get("Content-Type") ?? "application/octet-stream").split(";")[0].trim().toLowerCase();
    if (ct === "multipart/form-data") {
      // parsed by hand: supabase-js names the file part "" and Deno's FormData parser drops such parts
      const boundary = /boundary="?([^";]+)"?/i.exec(req.headers.get("Content-Type") ?? "")?.[1];
      if (!boundary) return invalidRequest("multipart/form-data without a boundary");
      for (const part of multipartParts(new Uint8Array(await req.arrayBuffer()), boundary)) {
        if (/filename=/i.test(part.headers["content-disposition"] ?? "")) {
          return { bytes: part.body, ct: (part.headers["content-type"] || "text/plain;charset=UTF-8").split(";")[0].trim() };
        }
      }
      return new StorageFail(400, "InvalidRequest", "InvalidRequest", "No content provided");
    }
    return { bytes: new Uint8Array(await req.arrayBuffer()), ct };
  }
  /** POST /object/list/{bucket}: one folder level under prefix; sub-folders come back with id null. */
  async function listObjects(claims: Claims, bucket: string, b: Record<string, unknown> | null): Promise<Response> {
    let prefix = String(b?.prefix ?? "");
    if (prefix && !prefix.endsWith("/")) prefix += "/";
    const limit = Math.max(0, Number(b?.limit ?? 100) || 0), offset = Math.max(0, Number(b?.offset ?? 0) || 0);
    const search = String(b?.search ?? "").toLowerCase();
    const sortBy = (b?.sortBy ?? {}) as { column?: string; order?: string };
    const column = ["name", "created_at", "updated_at", "last_accessed_at"].includes(String(sortBy.column)) ? String(sortBy.column) : "name";
    const desc = String(sortBy.order ?? "asc").toLowerCase() === "desc";
    const rows = await asRole(claims, (tx) => tx`select id, name, created_at, updated_at, last_accessed_at, metadata from storage.objects
      where bucket_id = ${bucket} and left(name, ${prefix.length}) = ${prefix}`);
    const folders = new Map<string, Record<string, unknown>>();
    const files: Record<string, unknown>[] = [];
    for (const r of rows) {
      const rest = String(r.name).slice(prefix.length);
      if (search && !rest.toLowerCase().startsWith(search)) continue;
      const slash = rest.indexOf("/");
      if (slash >= 0) {
        const f = rest.slice(0, slash);
        folders.set(f, { name: f, id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null });
      } else files.push({ name: rest, id: r.id, updated_at: r.updated_at, created_at: r.created_at, last_accessed_at: r.last_accessed_at, metadata: r.metadata });
    }
    const key = (x: Record<string, unknown>) => x[column] instanceof Date ? (x[column] as Date).toISOString() : String(x[column] ?? "");
    const cmp = (x: Record<string, unknown>, y: Record<string, unknown>) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0) * (desc ? -1 : 1);
    const all = column === "name" ? [...folders.values(), ...files].sort(cmp) : [...[...folders.values()].sort(cmp), ...files.sort(cmp)];
    return j(all.slice(offset, offset + limit));
  }

  // TUS 1.0.0 resumable uploads (creation, creation-with-upload, core, termination, expiration), kept on disk:
  // <dataDir>/uploads/<id>.json + the bytes so far in <id>.bin (whose size is the offset). The object row is written
  // when the last byte arrives.
  interface TusUpload { bucket: string; name: string; contentType: string; length: number; sub: string | null; upsert: boolean; expiresAt: number }
  const busy = new Set<string>();
  const tusOffset = (id: string) => {
    try {
      return Deno.statSync(disk.uploadPath(id)).size;
    } catch {
      return 0;
    }
  };
  /** Appends a request body at the upload's offset; every request but the one ending the upload must carry exactly
   *  tusChunk bytes (else its bytes are dropped and 400 is answered); bytes that arrived before a dropped connection are kept. */
  async function tusAppend(req: Request, id: string, up: TusUpload, claims: Claims, th: (x?: Record<string, string>) => Record<string, string>): Promise<Response> {
    const start = tusOffset(id);
    let offset = start;
    const f = await Deno.open(disk.uploadPath(id), { write: true, create: true });
    try {
      await f.seek(start, Deno.SeekMode.Start);
      if (req.body) {
        const reader = req.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (offset + value.length > up.length) {
              await reader.cancel();
              await f.truncate(start);
              return new StorageFail(413, "EntityTooLarge", "Payload too large", "chunk goes past Upload-Length").render(true, th({ "Upload-Offset": String(start) }));
            }
            await f.write(value);
            offset += value.length; // bytes that arrived before a dropped connection are kept (HEAD reports them)
          }
        } catch {
          return new StorageFail(400, "Aborted", "Aborted", "request body interrupted").render(true, th({ "Upload-Offset": String(offset) }));
        }
      }
      if (offset !== up.length && offset - start !== tusChunk) {
        await f.truncate(start);
        return new StorageFail(400, "InvalidChunkSize", "invalid_chunk_size",
          `every chunk but the last must be exactly ${tusChunk} bytes (got ${offset - start})`).render(true, th({ "Upload-Offset": String(start) }));
      }
    } finally {
      f.close();
    }
    if (offset === up.length) {
      const bytes = up.length ? await Deno.readFile(disk.uploadPath(id)) : new Uint8Array();
      const res = await storeObject(claims, up.bucket, up.name, bytes, up.contentType, up.upsert);
      disk.deleteUpload(id);
      if (res instanceof StorageFail) return res.render(true, th());
    }
    return new Response(null, { status: 204, headers: th({ "Upload-Offset": String(offset) }) });
  }
  async function tus(req: Request, path: string, claims: Claims): Promise<Response> {
    const th = (extra: Record<string, string> = {}) => ({ "Tus-Resumable": "1.0.0", "Cache-Control": "no-store", ...extra });
    const terr = (status: number, code: string, message: string, extra: Record<string, string> = {}) =>
      new StorageFail(status, code, code, message).render(true, th(extra));
    if (req.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: th({ "Tus-Version": "1.0.0", "Tus-Extension": "creation,creation-with-upload,termination,expiration", "Tus-Max-Size": "5368709120" }) });
    }
    if (req.headers.get("Tus-Resumable") !== "1.0.0") {
      await req.body?.cancel();
      return terr(412, "precondition_failed", "Tus-Resumable: 1.0.0 required", { "Tus-Version": "1.0.0" });
    }
    const id = path.slice("/upload/resumable/".length);
    if (path === "/upload/resumable") {
      if (req.method !== "POST") return terr(405, "method_not_allowed", "POST to create an upload");
      const withData = (req.headers.get("Content-Type") ?? "").split(";")[0].trim() === "application/offset+octet-stream";
      if (!withData) await req.body?.cancel();
      const lenH = req.headers.get("Upload-Length");
      if (lenH === null || !/^\d+$/.test(lenH)) {
        await req.body?.cancel();
        return terr(400, "InvalidRequest", "Upload-Length required (Upload-Defer-Length is not supported)");
      }
      const meta: Record<string, string> = {};
      for (const pair of (req.headers.get("Upload-Metadata") ?? "").split(",")) {
        const [k, v] = pair.trim().split(/\s+/);
        if (!k) continue;
        try {
          meta[k] = v ? new TextDecoder().decode(Uint8Array.from(atob(v), (c) => c.charCodeAt(0))) : "";
        } catch {
          await req.body?.cancel();
          return terr(400, "InvalidRequest", `Upload-Metadata ${k} is not base64`);
        }
      }
      if (!meta.bucketName || !meta.objectName) {
        await req.body?.cancel();
        return terr(400, "InvalidRequest", "Upload-Metadata needs bucketName and objectName");
      }
      const up: TusUpload = { bucket: meta.bucketName, name: meta.objectName, contentType: meta.contentType || "application/octet-stream", length: Number(lenH),
        sub: claims.sub ?? null, upsert: req.headers.get("x-upsert") === "true", expiresAt: Date.now() + tusExpiryMs };
      // like storage: bucket limits, duplicates and RLS are checked when the upload is created
      const check = await storeObject(claims, up.bucket, up.name, new Uint8Array(), up.contentType, up.upsert, true, up.length);
      if (check instanceof StorageFail) {
        await req.body?.cancel();
        return check.render(true, th());
      }
      const uid = crypto.randomUUID();
      disk.saveUploadMeta(uid, up);
      Deno.writeFileSync(disk.uploadPath(uid), new Uint8Array());
      // absolute, on the host the client used (like storage behind its proxy)
      const created = { Location: `${new URL(req.url).origin}/storage/v1/upload/resumable/${uid}`, "Upload-Expires": new Date(up.expiresAt).toUTCString() };
      if (!withData && up.length > 0) return new Response(null, { status: 201, headers: th({ ...created, "Upload-Offset": "0" }) });
      // creation-with-upload: the POST carries the first chunk
      busy.add(uid);
      try {
        const r = await tusAppend(req, uid, up, claims, th);
        if (r.status !== 204) return new Response(r.body, { status: r.status, headers: { ...Object.fromEntries(r.headers), ...created } });
        return new Response(null, { status: 201, headers: th({ ...created, "Upload-Offset": r.headers.get("Upload-Offset") ?? "0" }) });
      } finally {
        busy.delete(uid);
      }
    }
    const up = disk.uploadMeta<TusUpload>(id);
    if (!up) {
      await req.body?.cancel();
      return terr(404, "NoSuchUpload", "Upload not found");
    }
    if ((claims.sub ?? null) !== up.sub) {
      await req.body?.cancel();
      return terr(403, "AccessDenied", "upload belongs to another user");
    }
    if (Date.now() > up.expiresAt) {
      await req.body?.cancel();
      disk.deleteUpload(id);
      return terr(410, "Gone", "upload expired");
    }
    const expires = { "Upload-Expires": new Date(up.expiresAt).toUTCString() };
    if (req.method === "HEAD") {
      return new Response(null, { status: 200, headers: th({ "Upload-Offset": String(tusOffset(id)), "Upload-Length": String(up.length), ...expires }) });
    }
    if (req.method === "DELETE") {
      disk.deleteUpload(id);
      return new Response(null, { status: 204, headers: th() });
    }
    if (req.method !== "PATCH") return terr(405, "method_not_allowed", "method not allowed");
    if ((req.headers.get("Content-Type") ?? "").split(";")[0].trim() !== "application/offset+octet-stream") {
      await req.body?.cancel();
      return terr(415, "invalid_content_type", "Content-Type: application/offset+octet-stream required");
    }
    const offH = req.headers.get("Upload-Offset");
    if (offH === null || !/^\d+$/.test(offH)) {
      await req.body?.cancel();
      return terr(400, "InvalidRequest", "Upload-Offset required");
    }
    const offset = tusOffset(id);
    if (busy.has(id) || Number(offH) !== offset) {
      await req.body?.cancel();
      return terr(409, "conflict", busy.has(id) ? "upload is locked by another request" : `Upload-Offset ${offH} does not match ${offset}`, { "Upload-Offset": String(offset) });
    }
    busy.add(id);
    try {
      const r = await tusAppend(req, id, up, claims, (x = {}) => th({ ...x, ...expires }));
      return r;
    } finally {
      busy.delete(id);
    }
  }
  async function storageApi(req: Request, path: string, url: URL): Promise<Response> {
    try {
      return await storageRoutes(req, path, url);
    } catch (e) {
      if (e instanceof StorageFail) return e.render(path.startsWith("/upload/resumable"));
      throw e;
    }
  }
  async function storageRoutes(req: Request, path: string, url: URL): Promise<Response> {
    const seg = (m: RegExpExecArray) => [m[1], decodeURIComponent(m[2])];
    const signedGet = /^\/object\/sign\/([^/]+)\/(.+)$/.exec(path);
    if (signedGet && (req.method === "GET" || req.method === "HEAD")) {
      const [bucket, name] = seg(signedGet);
      const t = await checkSignToken(url.searchParams.get("token") ?? "", bucket, name);
      if (t instanceof StorageFail) return t.render();
      const o = disk.getObject(`${bucket}/${name}`);
      if (!o) return notFound().render();
      return serveObject(req, o, url.searchParams.get("download"));
    }
    const signedUp = /^\/object\/upload\/sign\/([^/]+)\/(.+)$/.exec(path);
    if (signedUp && req.method === "PUT") {
      const [bucket, name] = seg(signedUp);
      const t = await checkSignToken(url.searchParams.get("token") ?? "", bucket, name);
      if (t instanceof StorageFail) {
        await req.body?.cancel();
        return t.render();
      }
      const body = await uploadBody(req);
      if (body instanceof StorageFail) return body.render();
      // the upload runs as the user who signed the URL
      const as: Claims = t.owner ? { role: "authenticated", sub: String(t.owner) } : { role: "service_role" };
      const res = await storeObject(as, bucket, name, body.bytes, body.ct, t.upsert === true);
      return res instanceof StorageFail ? res.render() : j({ Key: `${bucket}/${name}`, Id: res });
    }
    const claims = await storageClaims(req);
    if (signedUp && req.method === "POST") {
      const [bucket, name] = seg(signedUp);
      await req.body?.cancel();
      const upsert = req.headers.get("x-upsert") === "true";
      // RLS and an existing object are checked now; type and size when the bytes arrive
      const check = await storeObject(claims, bucket, name, new Uint8Array(), "application/octet-stream", upsert, true, 0, false);
      if (check instanceof StorageFail) return check.render();
      const token = await signToken(bucket, name, Math.floor(Date.now() / 1000) + 7200, { owner: claims.sub ?? null, upsert });
      return j({ url: `/object/upload/sign/${bucket}/${name.split("/").map(encodeURIComponent).join("/")}?token=${token}`, token });
    }
    if (signedGet && req.method === "POST") {
      const [bucket, name] = seg(signedGet);
      const b = await req.json().catch(() => ({}));
      const rows = await asRole(claims, (tx) => tx`select id from storage.objects where bucket_id = ${bucket} and name = ${name}`);
      if (rows.length === 0) return notFound().render();
      const exp = Math.floor(Date.now() / 1000) + Math.max(1, Number(b.expiresIn ?? 60));
      return j({ signedURL: `/object/sign/${bucket}/${name.split("/").map(encodeURIComponent).join("/")}?token=${await signToken(bucket, name, exp)}` });
    }
    if (path === "/upload/resumable" || path.startsWith("/upload/resumable/")) return await tus(req, path, claims);
    const listM = /^\/object\/list\/([^/]+)$/.exec(path);
    if (listM && req.method === "POST") return await listObjects(claims, listM[1], await req.json().catch(() => ({})));
    if ((path === "/object/move" || path === "/object/copy") && req.method === "POST") {
      const b = await req.json().catch(() => ({}));
      const [src, from, to] = [String(b?.bucketId ?? ""), String(b?.sourceKey ?? ""), String(b?.destinationKey ?? "")];
      const dst = String(b?.destinationBucket ?? src);
      if (!src || !from || !to) return invalidRequest("bucketId, sourceKey and destinationKey are required").render();
      if (path === "/object/copy") {
        const rows = await asRole(claims, (tx) => tx`select id from storage.objects where bucket_id = ${src} and name = ${from}`);
        const data = disk.getObject(`${src}/${from}`);
        if (rows.length === 0 || !data) return notFound().render();
        const res = await storeObject(claims, dst, to, data.bytes, data.contentType, false);
        return res instanceof StorageFail ? res.render() : j({ Key: `${dst}/${to}`, Id: res });
      }
      try {
        const rows = await asRole(claims, (tx) => tx`update storage.objects set bucket_id = ${dst}, name = ${to}, updated_at = now()
          where bucket_id = ${src} and name = ${from} returning id`);
        if (rows.length === 0) return notFound().render();
      } catch (e) {
        if (e instanceof ApiError && e.body.code === "23505") return new StorageFail(409, "KeyAlreadyExists", "Duplicate", "The resource already exists").render();
        if (e instanceof ApiError && (e.status === 403 || e.status === 401)) return new StorageFail(403, "AccessDenied", "Unauthorized", "new row violates row-level security policy").render();
        throw e;
      }
      disk.moveObject(`${src}/${from}`, `${dst}/${to}`);
      return j({ message: "Successfully moved" });
    }
    const obj = /^\/object\/(?:authenticated\/)?([^/]+)\/(.+)$/.exec(path);
    if (obj && (req.method === "POST" || req.method === "PUT")) {
      const [bucket, name] = seg(obj);
      const body = await uploadBody(req);
      if (body instanceof StorageFail) return body.render();
      const upsert = req.headers.get("x-upsert") === "true" || req.method === "PUT";
      const res = await storeObject(claims, bucket, name, body.bytes, body.ct, upsert);
      return res instanceof StorageFail ? res.render() : j({ Key: `${bucket}/${name}`, Id: res });
    }
    if (obj && (req.method === "GET" || req.method === "HEAD")) {
      const [bucket, name] = seg(obj);
      const rows = await asRole(claims, (tx) => tx`select id from storage.objects where bucket_id = ${bucket} and name = ${name}`);
      const data = disk.getObject(`${bucket}/${name}`);
      if (rows.length === 0 || !data) return notFound().render();
      return serveObject(req, data, url.searchParams.get("download"));
    }
    const del = /^\/object\/([^/]+)$/.exec(path);
    if (del && req.method === "DELETE") {
      const bucket = del[1];
      const b = await req.json().catch(() => null);
      const prefixes = Array.isArray(b?.prefixes) ? b.prefixes.map(String) : [];
      const rows = await asRole(claims, (tx) => tx`delete from storage.objects where bucket_id = ${bucket} and name = any(${prefixes}) returning name, bucket_id, id`);
      for (const r of rows) disk.deleteObject(`${bucket}/${r.name}`);
      return j(rows.map((r) => ({ name: r.name, bucket_id: r.bucket_id, id: r.id })));
    }
    await req.body?.cancel();
    return new StorageFail(404, "NotFound", "not_found", "unsupported storage endpoint in stand-in").render();
  }

  // ---------------- router ----------------
  /** Routes the gateway lets through without an apikey: Edge Functions (Stripe calls stripe-webhook with no key),
   *  signed download / upload URLs and the browser's OAuth redirects. */
  const keyless = (req: Request, p: string) =>
    p.startsWith("/functions/v1/") ||
    ((req.method === "GET" || req.method === "HEAD") && p.startsWith("/storage/v1/object/sign/")) ||
    (req.method === "PUT" && p.startsWith("/storage/v1/object/upload/sign/")) ||
    /^\/auth\/v1\/(authorize|callback|verify)\b/.test(p);
  async function route(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const p = url.pathname;
    try {
      if (!keyless(req, p)) {
        const refused = await gateway(req, url);
        if (refused) {
          await req.body?.cancel();
          return refused;
        }
      }
      if (p.startsWith("/auth/v1/")) return await auth(req, p.slice(8), url);
      if (p.startsWith("/rest/v1/")) return await rest(req, p.slice(8), url);
      if (p.startsWith("/storage/v1/")) return await storageApi(req, p.slice(11), url);
      const fm = /^\/functions\/v1\/([a-z0-9-]+)/.exec(p);
      if (fm) {
        const f = opts.functions?.[fm[1]];
        if (!f) return j({ code: "NOT_FOUND", message: "Requested function was not found" }, 404);
        if (f.verifyJwt) {
          const token = bearer(req) ?? "";
          if (!(await verifyJwt(token, jwtSecret))) return j({ code: 401, message: "Invalid JWT" }, 401);
        }
        return await f.handler(req);
      }
      return j({ message: "no Route matched with those values" }, 404);
    } catch (e) {
      if (e instanceof ApiError) return j(e.body, e.status, e.headers);
      console.error("standin error:", e);
      return j({ message: "stand-in internal error" }, 500);
    }
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: opts.port ?? 0, signal: ac.signal, onListen: () => {} }, route);
  baseUrl = `http://127.0.0.1:${server.addr.port}`;
  return {
    url: baseUrl, anonKey, serviceKey, jwtSecret, sql, mintUserToken,
    storage: { get: (key: string) => disk.getObject(key) },
    dataDir: disk.dir,
    async close() {
      ac.abort();
      await server.finished;
      await sql.end({ timeout: 1 });
      await disk.remove();
    },
  };
}
