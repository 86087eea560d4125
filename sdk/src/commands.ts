// Commands a workflow yields. Yield one to wait for its result, or an array of them to run
// them in parallel and get an array of results back. Each has a stable `kind`; the replayer
// checks recorded commands against new ones by kind and identity (replayer/machine.ts).
import type { SerializedFailure } from "./failures.js";
import { ActivityRetryPolicy } from "./retry-policy.js";

export interface ScheduleActivityOptions {
  /** Task queue of the workers that run it. Default: the workflow's task queue. */
  queue?: string;
  retryPolicy?: ActivityRetryPolicy;
  /** Longest one attempt may run; it is then retried per the policy. Seconds. */
  startToCloseTimeout?: number;
  /** Longest an attempt may wait for a worker; the activity then fails. Seconds. */
  scheduleToStartTimeout?: number;
  /** Longest the activity may take over all attempts; it then fails. Seconds. */
  scheduleToCloseTimeout?: number;
  /** An attempt that does not heartbeat this often is timed out and retried. Seconds. */
  heartbeatTimeout?: number;
}

export class ScheduleActivity {
  readonly kind = "ScheduleActivity";
  readonly retryPolicy: ActivityRetryPolicy;
  constructor(
    readonly activityType: string,
    readonly args: readonly unknown[] = [],
    readonly options: Omit<ScheduleActivityOptions, "retryPolicy"> & { retryPolicy?: ActivityRetryPolicy } = {},
  ) {
    this.retryPolicy = options.retryPolicy ?? new ActivityRetryPolicy();
  }
}

/** A durable timer. Deadlines are whole seconds; `seconds` is rounded up. */
export class StartTimer {
  readonly kind = "StartTimer";
  readonly seconds: number;
  constructor(
    seconds: number,
    /** Identity checked on replay; generated (`t1`, `t2`, ...) when absent. */
    readonly timerId?: string,
  ) {
    if (!(seconds >= 0) || !Number.isFinite(seconds)) {
      throw new RangeError(`timer duration must be a finite number of seconds >= 0, got ${seconds}`);
    }
    this.seconds = Math.ceil(seconds);
  }
}

/** Runs `fn` once, records its JSON result, and replays the recorded value ever after. */
export class RecordSideEffect<T = unknown> {
  readonly kind = "RecordSideEffect";
  constructor(
    readonly markerName: string,
    readonly fn: () => T,
  ) {}
}

export class CompleteWorkflow {
  readonly kind = "CompleteWorkflow";
  constructor(readonly result: unknown = null) {}
}

export class FailWorkflow {
  readonly kind = "FailWorkflow";
  constructor(readonly error: Error) {}
}

/**
 * Waits until `predicate` (usually over state that signal handlers set) is true, or until the
 * optional timeout, and resolves to whether it became true. Recorded only through its timer.
 */
export class WaitCondition {
  readonly kind = "WaitCondition";
  readonly timeoutSeconds: number | undefined;
  constructor(
    readonly predicate: () => boolean,
    timeoutSeconds?: number,
  ) {
    // Validated here, in workflow code, so a bad value fails the workflow as ctx.sleep's does.
    this.timeoutSeconds = timeoutSeconds === undefined ? undefined : new StartTimer(timeoutSeconds).seconds;
  }
}

export type Command =
  | ScheduleActivity
  | StartTimer
  | RecordSideEffect
  | CompleteWorkflow
  | FailWorkflow
  | WaitCondition;

/** Commands as the SQL API receives them (weft.complete_workflow_task). */
export type WireCommand =
  | {
      kind: "ScheduleActivity";
      activityId: number;
      activityType: string;
      args: unknown[];
      queue: string;
      retryPolicy: ReturnType<ActivityRetryPolicy["toJSON"]>;
      startToCloseMs: number | null;
      scheduleToStartMs: number | null;
      scheduleToCloseMs: number | null;
      heartbeatMs: number | null;
    }
  | { kind: "StartTimer"; timerId: string; seconds: number }
  | { kind: "RecordSideEffect"; markerName: string; value: unknown }
  | { kind: "CompleteWorkflow"; result: unknown }
  | { kind: "FailWorkflow"; failure: SerializedFailure };

export function isCommand(value: unknown): value is Command {
  return (
    value instanceof ScheduleActivity ||
    value instanceof StartTimer ||
    value instanceof RecordSideEffect ||
    value instanceof CompleteWorkflow ||
    value instanceof FailWorkflow ||
    value instanceof WaitCondition
  );
}
