// Runway developer API (image_to_video) provider: https://docs.dev.runwayml.com/
import type { Deps } from "./config.ts";
import { ProviderError, type StartInput, type TaskStatus, type VideoProvider } from "./provider.ts";
import { RetryableError, retryAfterMs, withRetry } from "./retry.ts";

const RUNWAY_VERSION = "2024-11-06";
const GEN4_RATIOS = ["1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"];

export class RunwayProvider implements VideoProvider {
  readonly name = "runway";
  constructor(private deps: Deps) {}

  private async call(method: "GET" | "POST" | "DELETE", path: string, body: unknown, idempotentRetry: boolean): Promise<unknown> {
    const c = this.deps.config;
    if (!c.runwayApiKey) throw new ProviderError("RUNWAY_API_KEY is not configured", false);
    return await withRetry(async () => {
      let res: Response;
      try {
        res = await this.deps.fetch(`${c.runwayBaseUrl}${path}`, {
          method,
          headers: {
            "Authorization": `Bearer ${c.runwayApiKey}`,
            "X-Runway-Version": RUNWAY_VERSION,
            "Accept": "application/json",
            ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(c.providerTimeoutMs),
        });
      } catch (e) {
        const what = e instanceof DOMException && (e.name === "TimeoutError" || e.name === "AbortError")
          ? `timed out after ${c.providerTimeoutMs} ms`
          : "network error";
        // a POST that may have reached Runway is not repeated (it could create a second billable task)
        if (idempotentRetry) throw new RetryableError(`runway ${method} ${what}`);
        throw new ProviderError(`runway ${method} ${what}`, true);
      }
      const text = await res.text();
      if (res.ok) {
        try {
          return text ? JSON.parse(text) : null;
        } catch {
          throw new ProviderError("runway returned malformed JSON", true, res.status);
        }
      }
      let message = `runway HTTP ${res.status}`;
      try {
        const err = JSON.parse(text)?.error;
        if (typeof err === "string") message += `: ${err.slice(0, 300)}`;
      } catch { /* non-JSON error body */ }
      const transient = res.status === 429 || res.status === 503 ||
        (idempotentRetry && (res.status >= 500 || res.status === 408));
      if (transient) throw new RetryableError(message, retryAfterMs(res));
      throw new ProviderError(message, res.status >= 500 || res.status === 429, res.status);
    }, {
      retries: c.providerRetries,
      baseMs: c.providerBackoffMs,
      sleep: this.deps.sleep,
      random: this.deps.random,
    }).catch((e) => {
      if (e instanceof RetryableError) throw new ProviderError(e.message, true);
      throw e;
    });
  }

  async start(input: StartInput): Promise<{ taskId: string }> {
    const ratio = input.ratio ?? "1280:720";
    if (!GEN4_RATIOS.includes(ratio)) throw new ProviderError(`unsupported ratio ${ratio}`, false, 400);
    const body: Record<string, unknown> = {
      model: this.deps.config.runwayModel,
      promptImage: input.imageUrl,
      ratio,
      duration: input.duration ?? 5,
    };
    if (input.promptText) body.promptText = input.promptText.slice(0, 1000);
    if (input.seed !== undefined) body.seed = input.seed;
    const res = await this.call("POST", "/v1/image_to_video", body, false) as { id?: unknown } | null;
    if (!res || typeof res.id !== "string" || !res.id) throw new ProviderError("runway response has no task id", true);
    return { taskId: res.id };
  }

  async status(taskId: string): Promise<TaskStatus> {
    const t = await this.call("GET", `/v1/tasks/${encodeURIComponent(taskId)}`, undefined, true) as Record<string, unknown>;
    switch (t?.status) {
      case "PENDING":
      case "THROTTLED":
        return { state: "queued" };
      case "RUNNING": {
        const created = typeof t.createdAt === "string" ? Date.parse(t.createdAt) : NaN;
        return { state: "running", progress: typeof t.progress === "number" ? t.progress : undefined,
          createdAtMs: Number.isFinite(created) ? created : undefined };
      }
      case "SUCCEEDED": {
        const out = Array.isArray(t.output) ? t.output.find((u) => typeof u === "string") : undefined;
        if (!out) return { state: "failed", failure: "provider returned no output", failureCode: "INTERNAL.NO_OUTPUT" };
        return { state: "succeeded", outputUrl: out as string };
      }
      case "FAILED":
        return {
          state: "failed",
          failure: typeof t.failure === "string" ? t.failure : "generation failed",
          failureCode: typeof t.failureCode === "string" ? t.failureCode : undefined,
        };
      case "CANCELLED":
        return { state: "failed", failure: "generation was cancelled", failureCode: "CANCELLED" };
      default:
        throw new ProviderError(`runway returned unknown task status ${String(t?.status)}`, true);
    }
  }

  async cancel(taskId: string): Promise<void> {
    await this.call("DELETE", `/v1/tasks/${encodeURIComponent(taskId)}`, undefined, true);
  }
}
