// POST /functions/v1/generate-clip  {"clip_id": uuid, "prompt"?: string, "ratio"?: "1280:720", "duration"?: 5|10, "seed"?: int}
// Verifies the caller, checks the clip is theirs (RLS), reserves a credit, starts the provider task and
// records its id. Repeating the request never charges twice. If the provider start fails the credit is released;
// if the clip was cancelled or deleted meanwhile the fresh task is cancelled again (409).
import { type Deps, defaultDeps } from "../_shared/config.ts";
import { cancelTask } from "../_shared/generation.ts";
import { bearerToken, HttpError, json, readJsonObject, requireUuid, wrap } from "../_shared/http.ts";
import { createProvider, ProviderError, type VideoProvider } from "../_shared/provider.ts";
import { SupabaseClient } from "../_shared/supabase.ts";

interface ClipRow {
  id: string;
  project_id: string;
  image_url: string;
  prompt: string | null;
  status: string;
  provider: string | null;
  provider_task_id: string | null;
}

export function createHandler(deps: Deps, providerOverride?: VideoProvider) {
  return wrap(["POST"], async (req) => {
    const db = new SupabaseClient(deps.config, deps.fetch);
    const token = bearerToken(req);
    const user = await db.getUser(token);
    const body = await readJsonObject(req);
    const clipId = requireUuid(body.clip_id, "clip_id");
    const prompt = body.prompt === undefined ? undefined : String(body.prompt);
    const ratio = body.ratio === undefined ? undefined : String(body.ratio);
    const duration = body.duration === undefined ? undefined : Number(body.duration);
    if (duration !== undefined && ![5, 10].includes(duration)) throw new HttpError(400, "duration must be 5 or 10", "invalid_request");
    const seed = body.seed === undefined ? undefined : Number(body.seed);

    // RLS: the caller only sees clips of their own projects
    const rows = await db.select<ClipRow>("clips",
      `select=id,project_id,image_url,prompt,status,provider,provider_task_id&id=eq.${clipId}`, token);
    const clip = rows[0];
    if (!clip) throw new HttpError(404, "clip not found", "not_found");
    if (clip.status === "generating" && clip.provider_task_id) {
      return json({ clip_id: clipId, status: "generating", task_id: clip.provider_task_id, already_started: true });
    }

    const imageUrl = await resolveImageUrl(db, user.id, clip.image_url);
    const provider = providerOverride ?? createProvider(deps);

    let reservation: { reservation_id: string; already_reserved: boolean; credit_balance: number };
    try {
      reservation = await db.rpc("reserve_generation_credit", { p_clip_id: clipId }, token);
    } catch (e) {
      // no credit left: a clear refusal, and the provider is never called
      if (e instanceof HttpError && e.status === 402) {
        return json({ error: "insufficient credits", code: "insufficient_credits", credit_balance: 0,
          hint: "Buy a credit pack or redeem a referral code." }, 402);
      }
      throw e;
    }
    if (reservation.already_reserved) {
      // another request holds the reservation and is starting (or has started) the task
      const again = await db.select<ClipRow>("clips", `select=id,status,provider_task_id&id=eq.${clipId}`, token);
      return json({ clip_id: clipId, status: "generating", task_id: again[0]?.provider_task_id ?? null, already_started: true },
        again[0]?.provider_task_id ? 200 : 202);
    }

    let taskId: string;
    try {
      ({ taskId } = await provider.start({ imageUrl, promptText: prompt ?? clip.prompt ?? undefined, ratio, duration, seed }));
    } catch (e) {
      const reason = e instanceof ProviderError ? e.message : "provider start failed";
      deps.log(`generate-clip: provider start failed for clip ${clipId}: ${reason}`);
      const released = await db.rpc<{ credit_balance: number }>("release_generation_credit",
        { p_clip_id: clipId, p_reason: `could not start generation: ${reason}` }, null);
      const permanent = e instanceof ProviderError && !e.retryable;
      return json({
        error: permanent ? "the video provider rejected the request" : "the video provider is unavailable, try again later",
        code: permanent ? "provider_rejected" : "provider_unavailable",
        detail: reason,
        credit_released: true,
        credit_balance: released.credit_balance,
      }, permanent ? 422 : 503);
    }
    const recorded = await db.rpc<boolean>("record_generation_task", { p_clip_id: clipId, p_provider: provider.name, p_task_id: taskId }, null);
    if (!recorded) {
      // cancelled (cancel-generation) or deleted while the task was being started: its credit is already
      // back, so the fresh task must not run on
      await cancelTask(deps, db, provider, { id: clipId, provider_task_id: taskId });
      return json({ error: "the generation was cancelled before it started", code: "cancelled", clip_id: clipId,
        credit_released: true }, 409);
    }
    return json({ clip_id: clipId, status: "generating", task_id: taskId, credit_balance: reservation.credit_balance });
  }, deps.log);
}

/** image_url is a path in the private "images" bucket ({uid}/{project}/{clip}.ext) or an https URL. */
async function resolveImageUrl(db: SupabaseClient, uid: string, imageUrl: string): Promise<string> {
  if (/^https:\/\//i.test(imageUrl) || /^data:image\//i.test(imageUrl)) return imageUrl;
  const path = imageUrl.replace(/^images\//, "");
  // the signing happens with the service key, so only sign objects inside the caller's own folder
  if (!path.startsWith(`${uid}/`) || path.split("/").includes("..")) {
    throw new HttpError(403, "clip image is not in your storage folder", "forbidden");
  }
  return await db.signedUrl("images", path, 3600);
}

let cached: ((req: Request) => Promise<Response>) | null = null;
export function handler(req: Request): Promise<Response> {
  cached ??= createHandler(defaultDeps());
  return cached(req);
}
