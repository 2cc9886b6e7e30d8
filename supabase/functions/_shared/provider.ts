// Pluggable video provider interface; ACTIVE_AI_PROVIDER selects the implementation.
import type { Deps } from "./config.ts";
import { RunwayProvider } from "./runway.ts";

export interface StartInput {
  imageUrl: string;
  promptText?: string;
  ratio?: string;
  duration?: number;
  seed?: number;
}

export type TaskState = "queued" | "running" | "succeeded" | "failed";

export interface TaskStatus {
  state: TaskState;
  progress?: number;
  /** when the provider created the task, ms since the epoch (Runway's `createdAt`) */
  createdAtMs?: number;
  outputUrl?: string;
  failure?: string;
  failureCode?: string;
}

export interface VideoProvider {
  readonly name: string;
  start(input: StartInput): Promise<{ taskId: string }>;
  status(taskId: string): Promise<TaskStatus>;
  cancel(taskId: string): Promise<void>;
}

/** Provider failure; retryable = transient (429/5xx/timeout), otherwise permanent (400/401/...). */
export class ProviderError extends Error {
  constructor(message: string, public retryable: boolean, public httpStatus?: number) {
    super(message);
    this.name = "ProviderError";
  }
}

export function createProvider(deps: Deps): VideoProvider {
  switch (deps.config.activeProvider) {
    case "runway":
      return new RunwayProvider(deps);
    default:
      throw new Error(`unknown ACTIVE_AI_PROVIDER "${deps.config.activeProvider}"`);
  }
}
