// One step of a clip's generation, shared by clip-status (the owner polls), cancel-generation (the
// owner gives up) and sweep-generations (the scheduler settles clips nobody polls any more):
// ask the provider, then settle through the database RPCs exactly once.
//   SUCCEEDED -> MP4 copied into clips/{owner}/{project}/{clip}.mp4, clip ready, credit committed
//   FAILED/CANCELLED (incl. moderation) -> clip failed "<failureCode>: <failure>", credit released
//   past the deadline, or cancelled by the owner -> provider task cancelled (queued for the sweeper
//   when the provider cannot be reached), clip failed GENERATION_TIMEOUT / GENERATION_CANCELLED,
//   credit released; a task that already succeeded is kept (the video is delivered, the credit spent).
import type { Deps } from "./config.ts";
import { ProviderError, type TaskStatus, type VideoProvider } from "./provider.ts";
import { backoffMs } from "./retry.ts";
import type { SupabaseClient } from "./supabase.ts";

export interface GenerationClip {
  id: string;
  project_id: string;
  status: string;
  video_url: string | null;
  error: string | null;
  provider: string | null;
  provider_task_id: string | null;
  generation_deadline: string | null;
}

export const GENERATION_CLIP_COLUMNS = "id,project_id,status,video_url,error,provider,provider_task_id,generation_deadline";

export type GenerationStep =
  | { status: "generating"; state: string; progress?: number | null; retry_after_seconds: number }
  | { status: "failed"; error: string; credit_released: boolean; credit_balance: number | null; cancelled?: boolean }
  | { status: "ready"; committed: boolean; video_path: string };

const MAX_VIDEO_BYTES = 200 * 1024 * 1024;
export const TIMEOUT_ERROR = "GENERATION_TIMEOUT: generation timed out after 15 minutes";
export const CANCELLED_ERROR = "GENERATION_CANCELLED: generation cancelled by the user";

export interface StepOptions {
  /** the owner asked to stop: cancel unless the provider already finished */
  cancel?: boolean;
}

export async function advanceGeneration(
  deps: Deps,
  db: SupabaseClient,
  provider: VideoProvider,
  clip: GenerationClip,
  ownerId: string,
  opts: StepOptions = {},
): Promise<GenerationStep> {
  const deadline = clip.generation_deadline ? Date.parse(clip.generation_deadline) : Infinity;
  const stopping = opts.cancel === true || deps.now() > deadline;
  const stopReason = opts.cancel ? CANCELLED_ERROR : TIMEOUT_ERROR;

  if (!clip.provider_task_id) {
    if (stopping) return await release(db, clip.id, stopReason, opts.cancel);
    return { status: "generating", state: "starting", retry_after_seconds: 5 };
  }

  let st: TaskStatus | null = null;
  try {
    st = await provider.status(clip.provider_task_id);
  } catch (e) {
    if (!stopping) {
      if (e instanceof ProviderError && e.retryable) {
        // transient: keep the clip generating, tell the client to back off
        return { status: "generating", state: "provider_unavailable",
          retry_after_seconds: Math.ceil(backoffMs(3, { baseMs: 2000, maxMs: 30000, random: deps.random }) / 1000) };
      }
      return await release(db, clip.id, e instanceof Error ? e.message : "provider error");
    }
  }

  if (st?.state === "failed") {
    const reason = st.failureCode ? `${st.failureCode}: ${st.failure}` : (st.failure ?? "generation failed");
    return await release(db, clip.id, reason);
  }
  if (st?.state === "succeeded") return await deliver(deps, db, clip, ownerId, st.outputUrl!);
  if (stopping) {
    await cancelTask(deps, db, provider, clip);
    return await release(db, clip.id, stopReason, opts.cancel);
  }
  return { status: "generating", state: st!.state, progress: st!.progress ?? null,
    retry_after_seconds: nextPollSeconds(st!, deps) };
}

export const POLL_MIN_SECONDS = 1.5;
export const POLL_MAX_SECONDS = 7;
/** Runway's task status moves about every 5 s at most: the progress a poll shows may be up to
 * that old; the estimate assumes this much (but at most half the task's age). */
export const PROGRESS_AGE_SECONDS = 4;

/** When the client should ask again. With the provider's progress p and the task's age the
 * remaining time is estimated assuming a steady pace, and that p was reached
 * PROGRESS_AGE_SECONDS ago: (age × (1 − p) − that) / p. So the next poll lands about when the
 * video should be done, and a finished clip is seen within a second or two; never sooner than
 * POLL_MIN_SECONDS, never later than POLL_MAX_SECONDS. Without both: 5–7 s. */
export function nextPollSeconds(st: TaskStatus, deps: Pick<Deps, "now" | "random">): number {
  const p = st.progress;
  const age = st.createdAtMs === undefined ? NaN : (deps.now() - st.createdAtMs) / 1000;
  if (p === undefined || !(p > 0 && p < 1) || !(age > 0)) return 5 + Math.round(deps.random() * 2);
  const remaining = (age * (1 - p) - Math.min(PROGRESS_AGE_SECONDS, age / 2)) / p;
  return Math.min(POLL_MAX_SECONDS, Math.max(POLL_MIN_SECONDS, Math.round(remaining * 10) / 10));
}

async function release(db: SupabaseClient, clipId: string, reason: string, cancelled?: boolean): Promise<GenerationStep> {
  const r = await db.rpc<{ released: boolean; status: string; credit_balance: number | null }>("release_generation_credit",
    { p_clip_id: clipId, p_reason: reason }, null);
  const step: GenerationStep = { status: "failed", error: reason, credit_released: r.released, credit_balance: r.credit_balance };
  if (cancelled !== undefined) step.cancelled = cancelled && r.released;
  return step;
}

/** Cancel at the provider; when that fails the task is queued for the sweeper (never blocks the refund). */
export async function cancelTask(deps: Deps, db: SupabaseClient, provider: VideoProvider, clip: Pick<GenerationClip, "id" | "provider_task_id">) {
  if (!clip.provider_task_id) return;
  try {
    await provider.cancel(clip.provider_task_id);
  } catch (e) {
    if (e instanceof ProviderError && e.httpStatus === 404) return; // already gone
    deps.log(`cancel of the task for clip ${clip.id} failed, queued: ${e instanceof Error ? e.message : e}`);
    await db.rpc("queue_generation_cancellation", {
      p_provider: provider.name, p_task_id: clip.provider_task_id, p_clip_id: clip.id, p_reason: "cancel failed, retrying",
    }, null);
  }
}

async function deliver(deps: Deps, db: SupabaseClient, clip: GenerationClip, ownerId: string, outputUrl: string): Promise<GenerationStep> {
  // the provider URL is ephemeral -> copy the MP4 into our storage right away
  const path = `${ownerId}/${clip.project_id}/${clip.id}.mp4`;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    const res = await deps.fetch(outputUrl, { signal: AbortSignal.timeout(deps.config.providerTimeoutMs * 4) });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`download HTTP ${res.status}`);
    }
    bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length === 0 || bytes.length > MAX_VIDEO_BYTES) throw new Error(`unexpected video size ${bytes.length}`);
  } catch (e) {
    deps.log(`video download for clip ${clip.id} failed: ${e instanceof Error ? e.message : e}`);
    return { status: "generating", state: "downloading", retry_after_seconds: 5 };
  }
  await db.upload("clips", path, bytes, "video/mp4");
  const c = await db.rpc<{ committed: boolean; status: string }>("commit_generation_credit",
    { p_clip_id: clip.id, p_video_url: path }, null);
  return { status: "ready", committed: c.committed, video_path: path };
}

/** A settled clip as the client sees it; a ready one carries a 1-hour signed video URL. */
export async function describeClip(db: SupabaseClient, clip: GenerationClip) {
  const out: Record<string, unknown> = { clip_id: clip.id, status: clip.status, error: clip.error, video_path: clip.video_url };
  if (clip.status === "ready" && clip.video_url) {
    out.video_url = await db.signedUrl("clips", clip.video_url, 3600).catch(() => null);
  }
  return out;
}
