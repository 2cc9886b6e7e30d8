// POST /functions/v1/clip-status {"clip_id": uuid}   (GET ?clip_id= also works)
// Polls the provider (with backoff on transient errors) and settles the clip through
// _shared/generation.ts: SUCCEEDED -> MP4 copied into clips/{uid}/{project}/{clip}.mp4, clip ready, credit
// committed; FAILED/CANCELLED -> clip failed with the reason, credit released; past the 15-minute deadline
// -> task cancelled (unless it already succeeded), credit released.
import { type Deps, defaultDeps } from "../_shared/config.ts";
import { advanceGeneration, describeClip, GENERATION_CLIP_COLUMNS, type GenerationClip } from "../_shared/generation.ts";
import { bearerToken, HttpError, json, readJsonObject, requireUuid, wrap } from "../_shared/http.ts";
import { createProvider, type VideoProvider } from "../_shared/provider.ts";
import { SupabaseClient } from "../_shared/supabase.ts";

export function createHandler(deps: Deps, providerOverride?: VideoProvider) {
  return wrap(["GET", "POST"], async (req) => {
    const db = new SupabaseClient(deps.config, deps.fetch);
    const token = bearerToken(req);
    const user = await db.getUser(token);
    const clipId = requireUuid(
      req.method === "GET" ? new URL(req.url).searchParams.get("clip_id") : (await readJsonObject(req)).clip_id,
      "clip_id",
    );
    const rows = await db.select<GenerationClip>("clips", `select=${GENERATION_CLIP_COLUMNS}&id=eq.${clipId}`, token);
    const clip = rows[0];
    if (!clip) throw new HttpError(404, "clip not found", "not_found");
    if (clip.status !== "generating") return json(await describeClip(db, clip));

    const step = await advanceGeneration(deps, db, providerOverride ?? createProvider(deps), clip, user.id);
    if (step.status !== "ready") return json({ clip_id: clipId, ...step });
    const after = await db.select<GenerationClip>("clips", `select=${GENERATION_CLIP_COLUMNS}&id=eq.${clipId}`, token);
    return json({ ...(await describeClip(db, after[0] ?? clip)), committed: step.committed });
  }, deps.log);
}

let cached: ((req: Request) => Promise<Response>) | null = null;
export function handler(req: Request): Promise<Response> {
  cached ??= createHandler(defaultDeps());
  return cached(req);
}
