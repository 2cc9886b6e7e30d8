// POST /functions/v1/sweep-generations   {"min_age_seconds"?: int >= 0 (60), "limit"?: 1..200 (50)}
// Called by the scheduler (pg_cron through pg_net, see the generation_sweeper migration) with the
// service-role key; refuses any other caller. Settles generations that nobody polls any more:
//  1. public.settle_abandoned_generations(): clips past the hard deadline -> failed, credit refunded;
//  2. queued provider cancellations (deleted / abandoned clips) -> provider cancel call;
//  3. every clip still generating for at least min_age_seconds -> one step of _shared/generation.ts
//     (the provider is asked: succeeded -> delivered, failed -> refunded, past 15 minutes -> cancelled).
import { type Deps, defaultDeps } from "../_shared/config.ts";
import { advanceGeneration, GENERATION_CLIP_COLUMNS, type GenerationClip } from "../_shared/generation.ts";
import { bearerToken, HttpError, json, parseJsonObject, wrap } from "../_shared/http.ts";
import { createProvider, ProviderError, type VideoProvider } from "../_shared/provider.ts";
import { SupabaseClient } from "../_shared/supabase.ts";

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function intIn(value: unknown, field: string, min: number, max: number, dflt: number): number {
  if (value === undefined || value === null) return dflt;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new HttpError(400, `${field} must be an integer between ${min} and ${max}`, "invalid_request");
  }
  return value;
}

export function createHandler(deps: Deps, providerOverride?: VideoProvider) {
  return wrap(["POST"], async (req) => {
    const token = bearerToken(req) ?? "";
    if (!deps.config.serviceRoleKey || !timingSafeEqual(token, deps.config.serviceRoleKey)) {
      throw new HttpError(401, "the sweeper runs with the service-role key only", "unauthorized");
    }
    const text = await req.text();
    const body = text.trim() ? parseJsonObject(text) : {};
    const minAge = intIn(body.min_age_seconds, "min_age_seconds", 0, 86400, 60);
    const limit = intIn(body.limit, "limit", 1, 200, 50);
    const db = new SupabaseClient(deps.config, deps.fetch);
    const provider = providerOverride ?? createProvider(deps);

    const abandoned = await db.rpc<{ settled: number; credits_refunded: number; clip_ids: string[] }>(
      "settle_abandoned_generations", { p_limit: 200 }, null);

    const cancellations = { attempted: 0, done: 0 };
    const queued = await db.rpc<{ id: string; provider: string; task_id: string }[]>("claim_generation_cancellations", { p_limit: limit }, null);
    for (const c of queued) {
      if (c.provider !== provider.name) continue; // another provider's task: left for its own sweeper
      cancellations.attempted++;
      try {
        await provider.cancel(c.task_id);
      } catch (e) {
        if (!(e instanceof ProviderError && e.httpStatus === 404)) {
          deps.log(`sweep-generations: cancel of a queued task failed: ${e instanceof Error ? e.message : e}`);
          continue; // claimed again a minute later, up to 5 attempts
        }
      }
      await db.rpc("finish_generation_cancellation", { p_id: c.id }, null);
      cancellations.done++;
    }

    const before = new Date(deps.now() - minAge * 1000).toISOString();
    const clips = await db.select<GenerationClip & { generation_started_at: string }>("clips",
      `select=${GENERATION_CLIP_COLUMNS},generation_started_at&status=eq.generating&generation_started_at=lte.${encodeURIComponent(before)}` +
        `&order=generation_started_at.asc&limit=${limit}`, null);
    const owners = new Map<string, string>();
    const projectIds = [...new Set(clips.map((c) => c.project_id))];
    if (projectIds.length > 0) {
      const projects = await db.select<{ id: string; user_id: string }>("projects", `select=id,user_id&id=in.(${projectIds.join(",")})`, null);
      for (const p of projects) owners.set(p.id, p.user_id);
    }
    const counts = { checked: 0, ready: 0, failed: 0, generating: 0, errors: 0 };
    for (const clip of clips) {
      const owner = owners.get(clip.project_id);
      if (!owner) continue;
      counts.checked++;
      try {
        const step = await advanceGeneration(deps, db, provider, clip, owner);
        counts[step.status]++;
      } catch (e) {
        counts.errors++;
        deps.log(`sweep-generations: clip ${clip.id}: ${e instanceof Error ? e.message : e}`);
      }
    }
    return json({ abandoned, cancellations, ...counts });
  }, deps.log);
}

let cached: ((req: Request) => Promise<Response>) | null = null;
export function handler(req: Request): Promise<Response> {
  cached ??= createHandler(defaultDeps());
  return cached(req);
}
