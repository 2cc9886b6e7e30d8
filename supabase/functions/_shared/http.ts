// HTTP helpers shared by every Edge Function.

export class HttpError extends Error {
  constructor(public status: number, message: string, public code?: string) {
    super(message);
    this.name = "HttpError";
  }
}

export const corsHeaders: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
};

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...corsHeaders, ...headers },
  });
}

export function errorJson(status: number, message: string, code?: string): Response {
  return json(code ? { error: message, code } : { error: message }, status);
}

/** Parse a JSON object body; malformed JSON or a non-object -> HttpError 400. */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  return parseJsonObject(text);
}

export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "malformed JSON body", "invalid_json");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "JSON body must be an object", "invalid_json");
  }
  return value as Record<string, unknown>;
}

export function bearerToken(req: Request): string | null {
  const h = req.headers.get("Authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(h.trim());
  return m ? m[1] : null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function requireUuid(value: unknown, field: string): string {
  if (typeof value !== "string" || !UUID_RE.test(value)) {
    throw new HttpError(400, `${field} must be a UUID`, "invalid_request");
  }
  return value.toLowerCase();
}

/** Wrap a handler: CORS preflight, method check, HttpError -> JSON, anything else -> 500 (no details leaked). */
export function wrap(
  methods: string[],
  fn: (req: Request) => Promise<Response>,
  log: (msg: string) => void = (m) => console.error(m),
): (req: Request) => Promise<Response> {
  return async (req: Request) => {
    if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
    if (!methods.includes(req.method)) return errorJson(405, `method ${req.method} not allowed`, "method_not_allowed");
    try {
      return await fn(req);
    } catch (e) {
      if (e instanceof HttpError) return errorJson(e.status, e.message, e.code);
      // never log request headers/bodies: they may carry tokens or secrets
      log(`unhandled error: ${e instanceof Error ? e.name + ": " + e.message : String(e)}`);
      return errorJson(500, "internal error", "internal_error");
    }
  };
}
