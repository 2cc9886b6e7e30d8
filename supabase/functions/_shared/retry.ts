// Exponential backoff with up to 50% jitter (Runway's documented policy); honours Retry-After.

export class RetryableError extends Error {
  constructor(message: string, public retryAfterMs?: number) {
    super(message);
    this.name = "RetryableError";
  }
}

export interface RetryOptions {
  retries: number; // extra attempts after the first
  baseMs: number;
  maxMs?: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export function backoffMs(attempt: number, o: Pick<RetryOptions, "baseMs" | "maxMs" | "random">): number {
  const base = Math.min(o.baseMs * 2 ** attempt, o.maxMs ?? 8000);
  return Math.round(base + base * 0.5 * o.random());
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof RetryableError) || attempt >= o.retries) throw e;
      await o.sleep(e.retryAfterMs ?? backoffMs(attempt, o));
    }
  }
}

export function retryAfterMs(res: Response): number | undefined {
  const h = res.headers.get("Retry-After");
  if (!h) return undefined;
  const s = Number(h);
  return Number.isFinite(s) && s >= 0 ? Math.min(s * 1000, 30000) : undefined;
}
