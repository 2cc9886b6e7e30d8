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
  function filters(url: URL, params: unknown[], qual = ""): string {
    const where: string[] = [];
    for (const [k, raw] of url.searchParams) {
      if (["select", "order", "limit", "offset", "on_conflict", "columns"].includes(k)) continue;
      const m = /^(not\.)?(eq|neq|gt|gte|lt|lte|like|ilike|is|in)\.(.*)$/s.exec(raw);
      if (!m) throw new ApiError(400, { code: "PGRST100", message: `unsupported filter ${k}=${raw}` });
      const col = qual + ident(k);
      const [, neg, op, val] = m;
      let cond: string;
      if (op === "is") {
        if (!["null", "true", "false"].includes(val)) throw new ApiError(400, { code: "PGRST100", message: "is. needs null/true/false" });
        cond = `${col} is ${val}`;
      } else if (op === "in") {
        const inner = /^\((.*)\)$/s.exec(val)?.[1];
        if (inner === undefined) throw new ApiError(400, { code: "PGRST100", message: "in. needs (a,b)" });
        const items = inner === "" ? [] : inner.split(",").map((s) => s.trim().replace(/^"(.*)"$/, "$1"));
        params.push(items);
        cond = `${col}::text = any($${params.length}::text[])`;
      } else {
        const sqlOp = { eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=", like: "like", ilike: "ilike" }[op]!;
        params.push(op === "like" || op === "ilike" ? val.replace(/\*/g, "%") : val);
        cond = `${col} ${sqlOp} $${params.length}`;
      }
      where.push(neg ? `not (${cond})` : cond);
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
  function orderLimit(url: URL): string {
    let out = "";
    const o = url.searchParams.get("order");
    if (o) {
      out += " order by " + o.split(",").map((p) => {
        const [c, ...mods] = p.split(".");
        const dir = mods.includes("desc") ? " desc" : " asc";
        const nulls = mods.includes("nullsfirst") ? " nulls first" : mods.includes("nullslast") ? " nulls last" : "";
        return ident(c) + dir + nulls;
      }).join(", ");
    }
    const lim = url.searchParams.get("limit");
    const off = url.searchParams.get("offset");
    if (lim && /^\d+$/.test(lim)) out += ` limit ${lim}`;
    if (off && /^\d+$/.test(off)) out += ` offset ${off}`;
    return out;
  }
  function shape(req: Request, rows: unknown[], okStatus: number, method: string): Response {
    const prefer = req.headers.get("Prefer") ?? "";
    const single = (req.headers.get("Accept") ?? "").includes("application/vnd.pgrst.object+json");
    const wantRows = method === "GET" || prefer.includes("return=representation");
    if (single && wantRows) {
      if (rows.length !== 1) {
        return j({ code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned", details: `The result contains ${rows.length} rows`, hint: null }, 406);
      }
      return j(rows[0], okStatus);
    }
    if (!wantRows) return new Response(null, { status: method === "POST" ? 201 : 204 });
    return j(rows, okStatus);
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
      const q = `select coalesce(json_agg(t), '[]'::json) as rows from (select ${selectList(url)} from ${table}${filters(url, params)}${orderLimit(url)}) t`;
      const rows = await asRole(claims, (tx) => tx.unsafe(q, params as never[]));
      return shape(req, rows[0].rows, 200, "GET");
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
      const q = `with ins as (insert into ${table} (${cols.join(", ")}) select ${cols.join(", ")} from json_populate_recordset(null::${table}, $1::json) returning *)
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
    const obj = /^\/object\/(?:authenticated\/)?([^/]+)\/(.+)$/.exec(path);
    if (obj && (req.method === "POST" || req.method === "PUT")) {
      const [bucket, name] = [obj[1], decodeURIComponent(obj[2])];
      const [b] = await sql`select * from storage.buckets where id = ${bucket}`;
      if (!b) return storErr(404, "Bucket not found", "Bucket not found");
      const bytes = new Uint8Array(await req.arrayBuffer());
      const ct = (req.headers.get("Content-Type") ?? "application/octet-stream").split(";")[0].trim();
      if (b.allowed_mime_types && !b.allowed_mime_types.includes(ct)) return storErr(415, "invalid_mime_type", `mime type ${ct} is not supported`);
      if (b.file_size_limit && bytes.length > Number(b.file_size_limit)) return storErr(413, "Payload too large", "The object exceeded the maximum allowed size");
      const upsert = req.headers.get("x-upsert") === "true" || req.method === "PUT";
      const meta = sql.json({ size: bytes.length, mimetype: ct });
      const owner = claims.sub ?? null;
      try {
        const rows = await asRole(claims, (tx) => upsert
          ? tx`insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values (${bucket}, ${name}, ${owner}, ${owner}, ${meta})
               on conflict (bucket_id, name) do update set metadata = excluded.metadata, updated_at = now() returning id`
          : tx`insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values (${bucket}, ${name}, ${owner}, ${owner}, ${meta}) returning id`);
        storage.set(`${bucket}/${name}`, { bytes, contentType: ct });
        return j({ Key: `${bucket}/${name}`, Id: rows[0].id });
      } catch (e) {
        if (e instanceof ApiError && e.body.code === "23505") return storErr(409, "Duplicate", "The resource already exists");
        if (e instanceof ApiError && (e.status === 403 || e.status === 401)) return storErr(403, "Unauthorized", "new row violates row-level security policy");
        throw e;
      }
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
