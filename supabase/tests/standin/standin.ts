// Local stand-in for the subset of the Supabase HTTP API that Echoes uses (Auth, PostgREST,
// Storage, Edge Functions). Every data request runs against the REAL PostgreSQL as the caller's
// role (anon / authenticated / service_role) with request.jwt.claims set, so real RLS, grants
// and RPCs apply. Test/dev only — see README.md for what it does not cover.
import postgres from "npm:postgres@3.4.5";
import { signJwt, verifyJwt } from "./jwt.ts";

export interface StandinOptions {
  databaseUrl: string;
  jwtSecret?: string;
  port?: number;
  /** Edge Functions served at /functions/v1/<name>; given the stand-in's base URL and keys. */
  functions?: Record<string, { verifyJwt: boolean; handler: (req: Request) => Promise<Response> }>;
  refreshReuseIntervalMs?: number;
}

export interface Standin {
  url: string;
  anonKey: string;
  serviceKey: string;
  jwtSecret: string;
  sql: ReturnType<typeof postgres>;
  storage: Map<string, { bytes: Uint8Array; contentType: string }>;
  mintUserToken(userId: string, email?: string, ttlSec?: number): Promise<string>;
  close(): Promise<void>;
}

type Claims = Record<string, unknown> & { role: string; sub?: string };
const ROLES = new Set(["anon", "authenticated", "service_role"]);
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

class ApiError extends Error {
  constructor(public status: number, public body: Record<string, unknown>) {
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

export async function startStandin(opts: StandinOptions): Promise<Standin> {
  const jwtSecret = opts.jwtSecret ?? "standin-jwt-secret-for-tests-only";
  const sql = postgres(opts.databaseUrl, { max: 20, onnotice: () => {}, idle_timeout: 2, connect_timeout: 5 });
  const storage = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const anonKey = await signJwt({ role: "anon", iss: "supabase-standin" }, jwtSecret);
  const serviceKey = await signJwt({ role: "service_role", iss: "supabase-standin" }, jwtSecret);
  const reuseMs = opts.refreshReuseIntervalMs ?? 10_000;
  // refresh tokens: token -> state (rotation with a reuse interval, family revocation on reuse)
  const refresh = new Map<string, { userId: string; family: string; revokedAt: number | null; child: string | null }>();
  const ac = new AbortController();
  let baseUrl = "";

  async function mintUserToken(userId: string, email?: string, ttlSec = 3600) {
    const now = Math.floor(Date.now() / 1000);
    return await signJwt({ sub: userId, role: "authenticated", aud: "authenticated", email, iat: now, exp: now + ttlSec,
      iss: `${baseUrl}/auth/v1`, session_id: crypto.randomUUID(), aal: "aal1", is_anonymous: false }, jwtSecret);
  }

  async function claimsOf(req: Request): Promise<Claims> {
    const apikey = req.headers.get("apikey");
    const auth = req.headers.get("Authorization");
    const token = auth?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? apikey;
    if (!apikey && !auth) throw new ApiError(401, { message: "No API key found in request" });
    if (!token) throw new ApiError(401, { message: "No API key found in request" });
    const claims = await verifyJwt(token, jwtSecret);
    if (!claims || !ROLES.has(String(claims.role))) {
      throw new ApiError(401, { code: "PGRST301", message: "JWT invalid or expired" });
    }
    return claims as Claims;
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
    const rt = crypto.randomUUID().replace(/-/g, "");
    refresh.set(rt, { userId: String(u.id), family, revokedAt: null, child: null });
    const access = await mintUserToken(String(u.id), String(u.email ?? ""));
    const now = Math.floor(Date.now() / 1000);
    return { access_token: access, token_type: "bearer", expires_in: 3600, expires_at: now + 3600, refresh_token: rt, user: userJson(u) };
  }
  async function auth(req: Request, path: string, url: URL): Promise<Response> {
    const authErr = (status: number, code: string, msg: string) => j({ code: status, error_code: code, msg }, status);
    if (path === "/signup" && req.method === "POST") {
      const b = await req.json().catch(() => null);
      if (!b?.email || !b?.password) return authErr(400, "validation_failed", "email and password are required");
      if (String(b.password).length < 6) return authErr(422, "weak_password", "Password should be at least 6 characters");
      try {
        const [u] = await sql`insert into auth.users (email, encrypted_password, raw_user_meta_data)
          values (${String(b.email).toLowerCase()}, extensions.crypt(${String(b.password)}, extensions.gen_salt('bf', 4)), ${sql.json(b.data ?? {})})
          returning *`;
        return j(await session(u));
      } catch (e) {
        if ((e as { code?: string }).code === "23505") return authErr(422, "user_already_exists", "User already registered");
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
        if (!u) return authErr(400, "invalid_credentials", "Invalid login credentials");
        return j(await session(u));
      }
      if (grant === "refresh_token") {
        const rt = String(b?.refresh_token ?? "");
        const st = refresh.get(rt);
        if (!st) return authErr(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
        const [u] = await sql`select * from auth.users where id = ${st.userId}`;
        if (!u) return authErr(400, "user_not_found", "User not found");
        if (st.revokedAt !== null) {
          const child = st.child ? refresh.get(st.child) : undefined;
          if (child && child.revokedAt === null && Date.now() - st.revokedAt <= reuseMs) {
            // reuse interval: the just-rotated parent returns the active child
            const access = await mintUserToken(st.userId, String(u.email ?? ""));
            const now = Math.floor(Date.now() / 1000);
            return j({ access_token: access, token_type: "bearer", expires_in: 3600, expires_at: now + 3600, refresh_token: st.child, user: userJson(u) });
          }
          for (const s of refresh.values()) if (s.family === st.family && s.revokedAt === null) s.revokedAt = Date.now();
          return authErr(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
        }
        const next = await session(u, st.family);
        st.revokedAt = Date.now();
        st.child = next.refresh_token;
        return j(next);
      }
      return authErr(400, "unsupported_grant_type", "unsupported grant_type");
    }
    if (path === "/user" && req.method === "GET") {
      const token = req.headers.get("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? "";
      const claims = await verifyJwt(token, jwtSecret);
      if (!claims || claims.role !== "authenticated" || !claims.sub) return authErr(401, "bad_jwt", "invalid JWT");
      const [u] = await sql`select * from auth.users where id = ${String(claims.sub)}`;
      if (!u) return authErr(401, "user_not_found", "User from sub claim in JWT does not exist");
      return j(userJson(u));
    }
    if (path === "/logout" && req.method === "POST") {
      const token = req.headers.get("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? "";
      const claims = await verifyJwt(token, jwtSecret);
      if (!claims?.sub) return authErr(401, "bad_jwt", "invalid JWT");
      for (const s of refresh.values()) if (s.userId === claims.sub) s.revokedAt ??= Date.now();
      return new Response(null, { status: 204 });
    }
    return authErr(404, "not_found", "unsupported auth endpoint in stand-in");
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
      params.push(inner === "" ? [] : splitTop(inner).map(unquote));
      cond = `${col}::text = any($${params.length}::text[])`;
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
      if (["select", "order", "limit", "offset", "on_conflict", "columns"].includes(k)) continue;
      if (/^(not\.)?(and|or)$/.test(k)) where.push(logicTree(k, raw, params, qual));
      else where.push(condition(qual + ident(k), raw, params));
    }
    return where.length ? ` where ${where.join(" and ")}` : "";
  }
  function selectList(url: URL): string {
    const s = url.searchParams.get("select");
    if (!s || s === "*") return "*";
    return s.split(",").map((c) => {
      const m = /^(?:([a-z_][a-z0-9_]*):)?([a-z_][a-z0-9_]*)$/.exec(c.trim());
      if (!m) throw new ApiError(400, { code: "PGRST100", message: `unsupported select item "${c}" (embeds/casts are not supported by the stand-in)` });
      return m[1] ? `${ident(m[2])} as ${ident(m[1])}` : ident(m[2]);
    }).join(", ");
  }
  function orderBy(url: URL): string {
    const o = url.searchParams.get("order");
    if (!o) return "";
    return " order by " + o.split(",").map((p) => {
      const [c, ...mods] = p.split(".");
      const dir = mods.includes("desc") ? " desc" : " asc";
      const nulls = mods.includes("nullsfirst") ? " nulls first" : mods.includes("nullslast") ? " nulls last" : "";
      return ident(c) + dir + nulls;
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
        return j({ code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned", details: `The result contains ${rows.length} rows`, hint: null }, 406);
      }
      return j(rows[0], okStatus, extra);
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
    if (req.method === "GET" || req.method === "HEAD") {
      const { offset, limit } = page(req, url);
      const count = /^(exact|planned|estimated)$/.test(prefers(req).get("count") ?? "");
      const where = filters(url, params);
      const q = `select coalesce(json_agg(t), '[]'::json) as rows${count ? `, (select count(*) from ${table}${where}) as total` : ""}
                 from (select ${selectList(url)} from ${table}${where}${orderBy(url)}${limit === null ? "" : ` limit ${limit}`} offset ${offset}) t`;
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
                 select coalesce(json_agg(ins), '[]'::json) as rows from ins`;
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
                 select coalesce(json_agg(upd), '[]'::json) as rows from upd`;
      const rows = await asRole(claims, (tx) => tx.unsafe(q, params as never[]));
      return shape(req, rows[0].rows, 200, "PATCH");
    }
    if (req.method === "DELETE") {
      const where = filters(url, params);
      if (!where) throw new ApiError(400, { code: "21000", message: "DELETE requires a WHERE clause (filter)" });
      const q = `with del as (delete from ${table}${where} returning *) select coalesce(json_agg(del), '[]'::json) as rows from del`;
      const rows = await asRole(claims, (tx) => tx.unsafe(q, params as never[]));
      return shape(req, rows[0].rows, 200, "DELETE");
    }
    throw new ApiError(405, { message: "method not allowed" });
  }

  // ---------------- Storage ----------------
  const storErr = (status: number, error: string, message: string) => j({ statusCode: String(status), error, message }, status);
  async function signToken(bucket: string, name: string, exp: number) {
    const k = await crypto.subtle.importKey("raw", new TextEncoder().encode(jwtSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const sig = new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(`${bucket}/${name}:${exp}`)));
    return `${exp}.${[...sig].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
  /** Bucket existence, mime and size limits; a storage error Response or null. */
  async function bucketCheck(bucket: string, ct: string, size: number): Promise<Response | null> {
    const [b] = await sql`select * from storage.buckets where id = ${bucket}`;
    if (!b) return storErr(404, "Bucket not found", "Bucket not found");
    if (b.allowed_mime_types && !b.allowed_mime_types.includes(ct)) return storErr(415, "invalid_mime_type", `mime type ${ct} is not supported`);
    if (b.file_size_limit && size > Number(b.file_size_limit)) return storErr(413, "Payload too large", "The object exceeded the maximum allowed size");
    return null;
  }
  /** Inserts (or upserts) the storage.objects row as the caller (RLS) and keeps the bytes; the object id or an error Response.
   *  dryRun: check only (the row is rolled back), as storage does when a TUS upload is created. */
  async function storeObject(claims: Claims, bucket: string, name: string, bytes: Uint8Array, ct: string, upsert: boolean, dryRun = false, size = bytes.length): Promise<string | Response> {
    const bad = await bucketCheck(bucket, ct, size);
    if (bad) return bad;
    const meta = sql.json({ size, mimetype: ct });
    const owner = claims.sub ?? null;
    const rollback = new ApiError(299, {});
    try {
      const rows = await asRole(claims, async (tx) => {
        const r = await (upsert
          ? tx`insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values (${bucket}, ${name}, ${owner}, ${owner}, ${meta})
               on conflict (bucket_id, name) do update set metadata = excluded.metadata, updated_at = now() returning id`
          : tx`insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values (${bucket}, ${name}, ${owner}, ${owner}, ${meta}) returning id`);
        if (dryRun) throw rollback;
        return r;
      });
      storage.set(`${bucket}/${name}`, { bytes, contentType: ct });
      return String(rows[0].id);
    } catch (e) {
      if (e === rollback) return "";
      if (e instanceof ApiError && e.body.code === "23505") return storErr(409, "Duplicate", "The resource already exists");
      if (e instanceof ApiError && (e.status === 403 || e.status === 401)) return storErr(403, "Unauthorized", "new row violates row-level security policy");
      throw e;
    }
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

  // TUS 1.0.0 resumable uploads (creation + core + termination); the object row is written when the last byte arrives.
  interface TusUpload { bucket: string; name: string; contentType: string; length: number; chunks: Uint8Array[]; offset: number; sub: string | null; upsert: boolean; busy: boolean }
  const uploads = new Map<string, TusUpload>();
  async function tus(req: Request, path: string, claims: Claims): Promise<Response> {
    const th = (extra: Record<string, string> = {}) => ({ "Tus-Resumable": "1.0.0", "Cache-Control": "no-store", ...extra });
    const terr = (status: number, error: string, message: string, extra: Record<string, string> = {}) =>
      j({ statusCode: String(status), error, message }, status, th(extra));
    if (req.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: th({ "Tus-Version": "1.0.0", "Tus-Extension": "creation,termination", "Tus-Max-Size": "5368709120" }) });
    }
    if (req.headers.get("Tus-Resumable") !== "1.0.0") return terr(412, "precondition_failed", "Tus-Resumable: 1.0.0 required", { "Tus-Version": "1.0.0" });
    const id = path.slice("/upload/resumable/".length);
    if (path === "/upload/resumable") {
      if (req.method !== "POST") return terr(405, "method_not_allowed", "POST to create an upload");
      await req.body?.cancel();
      const lenH = req.headers.get("Upload-Length");
      if (lenH === null || !/^\d+$/.test(lenH)) return terr(400, "invalid_request", "Upload-Length required (Upload-Defer-Length is not supported)");
      const meta: Record<string, string> = {};
      for (const pair of (req.headers.get("Upload-Metadata") ?? "").split(",")) {
        const [k, v] = pair.trim().split(/\s+/);
        if (!k) continue;
        try {
          meta[k] = v ? new TextDecoder().decode(Uint8Array.from(atob(v), (c) => c.charCodeAt(0))) : "";
        } catch {
          return terr(400, "invalid_request", `Upload-Metadata ${k} is not base64`);
        }
      }
      if (!meta.bucketName || !meta.objectName) return terr(400, "invalid_request", "Upload-Metadata needs bucketName and objectName");
      const up: TusUpload = { bucket: meta.bucketName, name: meta.objectName, contentType: meta.contentType || "application/octet-stream", length: Number(lenH),
        chunks: [], offset: 0, sub: claims.sub ?? null, upsert: req.headers.get("x-upsert") === "true", busy: false };
      // like storage: bucket limits, duplicates and RLS are checked when the upload is created
      const check = await storeObject(claims, up.bucket, up.name, new Uint8Array(), up.contentType, up.upsert, true, up.length);
      if (check instanceof Response) return new Response(check.body, { status: check.status, headers: { ...Object.fromEntries(check.headers), ...th() } });
      const uid = crypto.randomUUID();
      uploads.set(uid, up);
      if (up.length === 0) {
        const res = await storeObject(claims, up.bucket, up.name, new Uint8Array(), up.contentType, up.upsert);
        if (res instanceof Response) return res;
      }
      return new Response(null, { status: 201, headers: th({ Location: `${baseUrl}/storage/v1/upload/resumable/${uid}`, "Upload-Offset": "0" }) });
    }
    const up = uploads.get(id);
    if (!up) {
      await req.body?.cancel();
      return terr(404, "not_found", "Upload not found");
    }
    if ((claims.sub ?? null) !== up.sub) {
      await req.body?.cancel();
      return terr(403, "Unauthorized", "upload belongs to another user");
    }
    if (req.method === "HEAD") {
      return new Response(null, { status: 200, headers: th({ "Upload-Offset": String(up.offset), "Upload-Length": String(up.length) }) });
    }
    if (req.method === "DELETE") {
      uploads.delete(id);
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
      return terr(400, "invalid_request", "Upload-Offset required");
    }
    if (up.busy || Number(offH) !== up.offset) {
      await req.body?.cancel();
      return terr(409, "conflict", up.busy ? "upload is locked by another request" : `Upload-Offset ${offH} does not match ${up.offset}`, { "Upload-Offset": String(up.offset) });
    }
    up.busy = true;
    try {
      if (req.body) {
        const reader = req.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (up.offset + value.length > up.length) {
              await reader.cancel();
              return terr(413, "Payload too large", "chunk goes past Upload-Length", { "Upload-Offset": String(up.offset) });
            }
            up.chunks.push(value.slice());
            up.offset += value.length; // bytes that arrived before a dropped connection are kept (HEAD reports them)
          }
        } catch {
          return terr(400, "connection_lost", "request body interrupted", { "Upload-Offset": String(up.offset) });
        }
      }
      if (up.offset === up.length) {
        const bytes = new Uint8Array(up.length);
        let at = 0;
        for (const c of up.chunks) {
          bytes.set(c, at);
          at += c.length;
        }
        const res = await storeObject(claims, up.bucket, up.name, bytes, up.contentType, up.upsert);
        if (res instanceof Response) {
          uploads.delete(id);
          return new Response(res.body, { status: res.status, headers: { ...Object.fromEntries(res.headers), ...th() } });
        }
        up.chunks = [bytes];
      }
      return new Response(null, { status: 204, headers: th({ "Upload-Offset": String(up.offset) }) });
    } finally {
      up.busy = false;
    }
  }
  async function storageApi(req: Request, path: string, url: URL): Promise<Response> {
    const signedGet = /^\/object\/sign\/([^/]+)\/(.+)$/.exec(path);
    if (signedGet && req.method === "GET") {
      const [bucket, name] = [signedGet[1], decodeURIComponent(signedGet[2])];
      const token = url.searchParams.get("token") ?? "";
      const exp = Number(token.split(".")[0]);
      if (!exp || exp < Date.now() / 1000 || token !== await signToken(bucket, name, exp)) return storErr(400, "InvalidSignature", "invalid or expired signature");
      const obj = storage.get(`${bucket}/${name}`);
      if (!obj) return storErr(404, "not_found", "Object not found");
      return new Response(obj.bytes.slice(), { headers: { "Content-Type": obj.contentType } });
    }
    const claims = await claimsOf(req);
    if (signedGet && req.method === "POST") {
      const [bucket, name] = [signedGet[1], decodeURIComponent(signedGet[2])];
      const b = await req.json().catch(() => ({}));
      const rows = await asRole(claims, (tx) => tx`select id from storage.objects where bucket_id = ${bucket} and name = ${name}`);
      if (rows.length === 0) return storErr(404, "not_found", "Object not found");
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
      if (!src || !from || !to) return storErr(400, "InvalidRequest", "bucketId, sourceKey and destinationKey are required");
      if (path === "/object/copy") {
        const rows = await asRole(claims, (tx) => tx`select id from storage.objects where bucket_id = ${src} and name = ${from}`);
        const data = storage.get(`${src}/${from}`);
        if (rows.length === 0 || !data) return storErr(404, "not_found", "Object not found");
        const res = await storeObject(claims, dst, to, data.bytes.slice(), data.contentType, false);
        return res instanceof Response ? res : j({ Key: `${dst}/${to}`, Id: res });
      }
      try {
        const rows = await asRole(claims, (tx) => tx`update storage.objects set bucket_id = ${dst}, name = ${to}, updated_at = now()
          where bucket_id = ${src} and name = ${from} returning id`);
        if (rows.length === 0) return storErr(404, "not_found", "Object not found");
      } catch (e) {
        if (e instanceof ApiError && e.body.code === "23505") return storErr(409, "Duplicate", "The resource already exists");
        if (e instanceof ApiError && (e.status === 403 || e.status === 401)) return storErr(403, "Unauthorized", "new row violates row-level security policy");
        throw e;
      }
      const data = storage.get(`${src}/${from}`);
      storage.delete(`${src}/${from}`);
      if (data) storage.set(`${dst}/${to}`, data);
      return j({ message: "Successfully moved" });
    }
    const obj = /^\/object\/(?:authenticated\/)?([^/]+)\/(.+)$/.exec(path);
    if (obj && (req.method === "POST" || req.method === "PUT")) {
      const [bucket, name] = [obj[1], decodeURIComponent(obj[2])];
      const bytes = new Uint8Array(await req.arrayBuffer());
      const ct = (req.headers.get("Content-Type") ?? "application/octet-stream").split(";")[0].trim();
      const upsert = req.headers.get("x-upsert") === "true" || req.method === "PUT";
      const res = await storeObject(claims, bucket, name, bytes, ct, upsert);
      return res instanceof Response ? res : j({ Key: `${bucket}/${name}`, Id: res });
    }
    if (obj && req.method === "GET") {
      const [bucket, name] = [obj[1], decodeURIComponent(obj[2])];
      const rows = await asRole(claims, (tx) => tx`select id from storage.objects where bucket_id = ${bucket} and name = ${name}`);
      const data = storage.get(`${bucket}/${name}`);
      if (rows.length === 0 || !data) return storErr(404, "not_found", "Object not found");
      return new Response(data.bytes.slice(), { headers: { "Content-Type": data.contentType } });
    }
    const del = /^\/object\/([^/]+)$/.exec(path);
    if (del && req.method === "DELETE") {
      const bucket = del[1];
      const b = await req.json().catch(() => null);
      const prefixes = Array.isArray(b?.prefixes) ? b.prefixes.map(String) : [];
      const rows = await asRole(claims, (tx) => tx`delete from storage.objects where bucket_id = ${bucket} and name = any(${prefixes}) returning name, bucket_id, id`);
      for (const r of rows) storage.delete(`${bucket}/${r.name}`);
      return j(rows.map((r) => ({ name: r.name, bucket_id: r.bucket_id, id: r.id })));
    }
    return storErr(404, "not_found", "unsupported storage endpoint in stand-in");
  }

  // ---------------- router ----------------
  async function route(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const p = url.pathname;
    try {
      if (p.startsWith("/auth/v1")) return await auth(req, p.slice(8), url);
      if (p.startsWith("/rest/v1")) return await rest(req, p.slice(8), url);
      if (p.startsWith("/storage/v1")) return await storageApi(req, p.slice(11), url);
      const fm = /^\/functions\/v1\/([a-z0-9-]+)/.exec(p);
      if (fm) {
        const f = opts.functions?.[fm[1]];
        if (!f) return j({ error: "function not found" }, 404);
        if (f.verifyJwt) {
          const token = req.headers.get("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? "";
          if (!(await verifyJwt(token, jwtSecret))) return j({ code: 401, message: "Invalid JWT" }, 401);
        }
        return await f.handler(req);
      }
      return j({ error: "not found" }, 404);
    } catch (e) {
      if (e instanceof ApiError) return j(e.body, e.status);
      console.error("standin error:", e);
      return j({ message: "stand-in internal error" }, 500);
    }
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: opts.port ?? 0, signal: ac.signal, onListen: () => {} }, route);
  baseUrl = `http://127.0.0.1:${server.addr.port}`;
  return {
    url: baseUrl, anonKey, serviceKey, jwtSecret, sql, storage, mintUserToken,
    async close() {
      ac.abort();
      await server.finished;
      await sql.end({ timeout: 1 });
    },
  };
}
