// Minimal Supabase HTTP client (Auth, PostgREST, Storage) over fetch: no SDK dependency,
// base URL from SUPABASE_URL so tests can point it at the local stand-in.

import { HttpError } from "./http.ts";
import type { Config } from "./config.ts";

export interface AuthUser {
  id: string;
  email?: string;
}

export class SupabaseClient {
  constructor(private cfg: Config, private fetchFn: typeof fetch) {}

  private headers(token: string | null, extra: Record<string, string> = {}): Headers {
    const h = new Headers(extra);
    h.set("apikey", this.cfg.anonKey || this.cfg.serviceRoleKey);
    h.set("Authorization", `Bearer ${token ?? this.cfg.serviceRoleKey}`);
    return h;
  }

  private serviceHeaders(extra: Record<string, string> = {}): Headers {
    const h = new Headers(extra);
    h.set("apikey", this.cfg.serviceRoleKey);
    h.set("Authorization", `Bearer ${this.cfg.serviceRoleKey}`);
    return h;
  }

  /** Verify the caller's access token with the Auth server; 401 if it is not a valid user token. */
  async getUser(token: string | null): Promise<AuthUser> {
    if (!token) throw new HttpError(401, "missing bearer token", "unauthorized");
    const res = await this.fetchFn(`${this.cfg.supabaseUrl}/auth/v1/user`, { headers: this.headers(token) });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new HttpError(401, "invalid or expired token", "unauthorized");
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new HttpError(502, `auth server error (${res.status})`, "upstream_error");
    }
    const user = await res.json();
    if (!user?.id) throw new HttpError(401, "token does not belong to a user", "unauthorized");
    return { id: String(user.id), email: user.email };
  }

  /** GET /rest/v1/<table>?<query> as the caller (RLS applies) or as service_role when token is null. */
  async select<T = Record<string, unknown>>(table: string, query: string, token: string | null): Promise<T[]> {
    const res = await this.fetchFn(`${this.cfg.supabaseUrl}/rest/v1/${table}?${query}`, {
      headers: token ? this.headers(token) : this.serviceHeaders(),
    });
    return await this.result(res) as T[];
  }

  /** POST /rest/v1/rpc/<fn>; token null = service_role. */
  async rpc<T = unknown>(fn: string, args: Record<string, unknown>, token: string | null): Promise<T> {
    const res = await this.fetchFn(`${this.cfg.supabaseUrl}/rest/v1/rpc/${fn}`, {
      method: "POST",
      headers: token
        ? this.headers(token, { "Content-Type": "application/json" })
        : this.serviceHeaders({ "Content-Type": "application/json" }),
      body: JSON.stringify(args),
    });
    return await this.result(res) as T;
  }

  private async result(res: Response): Promise<unknown> {
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok) {
      const b = (body ?? {}) as { message?: string; code?: string };
      const status = res.status >= 500 ? 502 : res.status;
      throw new HttpError(status, b.message ?? `database request failed (${res.status})`, b.code);
    }
    return body;
  }

  /** Signed download URL (absolute) for a private object, created with the service key. */
  async signedUrl(bucket: string, path: string, expiresIn: number): Promise<string> {
    const res = await this.fetchFn(`${this.cfg.supabaseUrl}/storage/v1/object/sign/${bucket}/${encodePath(path)}`, {
      method: "POST",
      headers: this.serviceHeaders({ "Content-Type": "application/json" }),
      body: JSON.stringify({ expiresIn }),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new HttpError(res.status === 404 || res.status === 400 ? 404 : 502, `storage object ${bucket}/${path} not available`, "storage_error");
    }
    const body = await res.json();
    const signed = String(body.signedURL ?? body.signedUrl ?? "");
    return signed.startsWith("http") ? signed : `${this.cfg.supabaseUrl}/storage/v1${signed}`;
  }

  /** Upload (upsert) bytes with the service key. */
  async upload(bucket: string, path: string, body: Uint8Array<ArrayBuffer>, contentType: string): Promise<void> {
    const res = await this.fetchFn(`${this.cfg.supabaseUrl}/storage/v1/object/${bucket}/${encodePath(path)}`, {
      method: "POST",
      headers: this.serviceHeaders({ "Content-Type": contentType, "x-upsert": "true", "cache-control": "max-age=3600" }),
      body,
    });
    if (!res.ok) {
      const t = await res.text();
      throw new HttpError(502, `storage upload failed (${res.status}): ${t.slice(0, 200)}`, "storage_error");
    }
    await res.body?.cancel();
  }
}

export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
