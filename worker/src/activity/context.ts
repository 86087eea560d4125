import type { Logger } from "@weft/sdk";

export interface ActivityInfo {
  readonly runId: string;
  readonly activityId: number;
  readonly activityType: string;
  readonly taskQueue: string;
}

/** Passed as the first argument of every activity function. */
export interface ActivityContext {
  readonly info: ActivityInfo;
  /** 1 on the first try, 2 on the first retry, ... */
  readonly attempt: number;
  /** Details of the last heartbeat of an earlier attempt: where to resume. */
  readonly lastHeartbeatDetails: unknown;
  /** Aborts when the attempt timed out, went stale, or the worker is shutting down. */
  readonly signal: AbortSignal;
  /** Records progress (throttled); resets the heartbeat timeout. */
  heartbeat(details?: unknown): void;
  readonly logger: Logger;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activities take any JSON arguments
export type ActivityFunction = (ctx: ActivityContext, ...args: any[]) => unknown;

export type Activities = Readonly<Record<string, ActivityFunction>>;
