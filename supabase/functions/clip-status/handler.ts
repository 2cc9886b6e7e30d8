// POST /functions/v1/clip-status {"clip_id": uuid}   (GET ?clip_id= also works)
// Polls the provider (with backoff on transient errors). SUCCEEDED -> copy the MP4 into
// clips/{uid}/{project}/{clip}.mp4, mark ready, commit the credit. FAILED/CANCELLED -> mark failed with
// the reason, release the credit. Past the 15-minute deadline -> cancel the task and release.
import { type Deps, defaultDeps } from "../_shared/config.ts";
import { bearerToken, HttpError, json, readJsonObject, requireUuid, wrap } from "../_shared/http.ts";
import { createProvider, ProviderError, type VideoProvider } from "../_shared/provider.ts";
import { backoffMs } from "../_shared/retry.ts";
import { SupabaseClient } from "../_shared/supabase.ts";

interface ClipRow {
  id: string;
  project_id: string;
  status: string;
  video_url: string | null;
  error: string | null;
  provider: string | null;
  provider_task_id: string | null;
  generation_deadline: string | null;
}

const MAX_VIDEO_BYTES = 200 * 1024 * 1024;

export function createHandler(deps: Deps, providerOverride?: VideoProvider) {
  return wrap(["GET", "POST"], async (req) => {
    const db = new SupabaseClient(deps.config, deps.fetch);
    const token = bearerToken(req);
    const user = await db.getUser(token);
    const clipId = requireUuid(
      req.method === "GET" ? new URL(req.url).searchParams.get("clip_id") : (await readJsonObject(req)).clip_id,
      "clip_id",
    );
    const rows = await db.select<ClipRow>("clips",
      `select=id,project_id,status,video_url,error,provider,provider_task_id,generation_deadline&id=eq.${clipId}`, token);
    const clip = rows[0];
    if (!clip) throw new HttpError(404, "clip not found", "not_found");
    if (clip.status !== "generating") return json(await describe(db, clip));

    const provider = providerOverride ?? createProvider(deps);
    const deadline = clip.generation_deadline ? Date.parse(clip.generation_deadline) : Infinity;
    if (deps.now() > deadline) {
      if (clip.provider_task_id) {
        try {
          await provider.cancel(clip.provider_task_id);
        } catch (e) {
          deps.log(`clip-status: cancel of task for clip ${clipId} failed: ${e instanceof Error ? e.message : e}`);
        }
      }
      const r = await db.rpc<{ released: boolean; credit_balance: number }>("release_generation_credit",
        { p_clip_id: clipId, p_reason: "generation timed out after 15 minutes" }, null);
      return json({ clip_id: clipId, status: "failed", error: "generation timed out after 15 minutes",
        credit_released: r.released, credit_balance: r.credit_balance });
    }
    if (!clip.provider_task_id) {
      return json({ clip_id: clipId, status: "generating", state: "starting", retry_after_seconds: 5 });
    }

    let st;
    try {
      st = await provider.status(clip.provider_task_id);
    } catch (e) {
      if (e instanceof ProviderError && e.retryable) {
        // transient: keep the clip generating, tell the client to back off
        return json({ clip_id: clipId, status: "generating", state: "provider_unavailable",
          retry_after_seconds: Math.ceil(backoffMs(3, { baseMs: 2000, maxMs: 30000, random: deps.random }) / 1000) });
      }
      const reason = e instanceof Error ? e.message : "provider error";
      const r = await db.rpc<{ released: boolean; credit_balance: number }>("release_generation_credit",
        { p_clip_id: clipId, p_reason: reason }, null);
      return json({ clip_id: clipId, status: "failed", error: reason, credit_released: r.released, credit_balance: r.credit_balance });
    }

    if (st.state === "queued" || st.state === "running") {
      return json({ clip_id: clipId, status: "generating", state: st.state, progress: st.progress ?? null,
        retry_after_seconds: 5 + Math.round(deps.random() * 2) });
    }
    if (st.state === "failed") {
      const reason = st.failureCode ? `${st.failureCode}: ${st.failure}` : (st.failure ?? "generation failed");
      const r = await db.rpc<{ released: boolean; credit_balance: number }>("release_generation_credit",
        { p_clip_id: clipId, p_reason: reason }, null);
      return json({ clip_id: clipId, status: "failed", error: reason, credit_released: r.released, credit_balance: r.credit_balance });
    }

    // succeeded: the provider URL is ephemeral -> copy the MP4 into our storage right away
    const path = `${user.id}/${clip.project_id}/${clipId}.mp4`;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      const res = await deps.fetch(st.outputUrl!, { signal: AbortSignal.timeout(deps.config.providerTimeoutMs * 4) });
      if (!res.ok) throw new Error(`download HTTP ${res.status}`);
      bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length === 0 || bytes.length > MAX_VIDEO_BYTES) throw new Error(`unexpected video size ${bytes.length}`);
    } catch (e) {
      deps.log(`clip-status: video download for clip ${clipId} failed: ${e instanceof Error ? e.message : e}`);
      return json({ clip_id: clipId, status: "generating", state: "downloading", retry_after_seconds: 5 });
    }
    await db.upload("clips", path, bytes, "video/mp4");
    const c = await db.rpc<{ committed: boolean; status: string }>("commit_generation_credit",
      { p_clip_id: clipId, p_video_url: path }, null);
    const after = await db.select<ClipRow>("clips",
      `select=id,project_id,status,video_url,error,provider,provider_task_id,generation_deadline&id=eq.${clipId}`, token);
    return json({ ...(await describe(db, after[0] ?? clip)), committed: c.committed });
  }, deps.log);
}

async function describe(db: SupabaseClient, clip: ClipRow) {
  const out: Record<string, unknown> = { clip_id: clip.id, status: clip.status, error: clip.error, video_path: clip.video_url };
  if (clip.status === "ready" && clip.video_url) {
    out.video_url = await db.signedUrl("clips", clip.video_url, 3600).catch(() => null);
  }
  return out;
}

let cached: ((req: Request) => Promise<Response>) | null = null;
export function handler(req: Request): Promise<Response> {
  cached ??= createHandler(defaultDeps());
  return cached(req);
}
