// POST /functions/v1/cancel-generation {"clip_id": uuid}
// The owner gives up on a generation (Cancel, or before deleting the clip). Unless the provider already
// finished, its task is cancelled (DELETE /v1/tasks/{id} on Runway; queued for sweep-generations when the
// provider cannot be reached) and the credit is released; a task that already succeeded is delivered
// instead (clip ready, credit spent), one that failed is settled as failed (credit released).
// Nothing to cancel (clip not generating) -> 200 with "cancelled": false and the clip as it is.
import { type Deps, defaultDeps } from "../_shared/config.ts";
import { advanceGeneration, describeClip, GENERATION_CLIP_COLUMNS, type GenerationClip } from "../_shared/generation.ts";
import { bearerToken, HttpError, json, readJsonObject, requireUuid, wrap } from "../_shared/http.ts";
import { createProvider, type VideoProvider } from "../_shared/provider.ts";
import { SupabaseClient } from "../_shared/supabase.ts";

export function createHandler(deps: Deps, providerOverride?: VideoProvider) {
  return wrap(["POST"], async (req) => {
    const db = new SupabaseClient(deps.config, deps.fetch);
    const token = bearerToken(req);
    const user = await db.getUser(token);
    const clipId = requireUuid((await readJsonObject(req)).clip_id, "clip_id");
    const select = `select=${GENERATION_CLIP_COLUMNS}&id=eq.${clipId}`;
    const clip = (await db.select<GenerationClip>("clips", select, token))[0];   // RLS: own clips only
    if (!clip) throw new HttpError(404, "clip not found", "not_found");
    if (clip.status !== "generating") {
      return json({ ...(await describeClip(db, clip)), cancelled: false, credit_released: false });
    }
    const step = await advanceGeneration(deps, db, providerOverride ?? createProvider(deps), clip, user.id, { cancel: true });
    if (step.status === "failed") {
      return json({ clip_id: clipId, status: "failed", error: step.error, cancelled: step.cancelled ?? false,
        credit_released: step.credit_released, credit_balance: step.credit_balance });
    }
    // delivered (or still being copied): describe what the clip is now
    const after = (await db.select<GenerationClip>("clips", select, token))[0] ?? clip;
    return json({ ...(await describeClip(db, after)), cancelled: false, credit_released: false,
      ...(step.status === "generating" ? { state: step.state, retry_after_seconds: step.retry_after_seconds } : {}) });
  }, deps.log);
}

let cached: ((req: Request) => Promise<Response>) | null = null;
export function handler(req: Request): Promise<Response> {
  cached ??= createHandler(defaultDeps());
  return cached(req);
}
