// Commands a workflow yields. Yield one to wait for its result, or an array of them to run
// them in parallel and get an array of results back. Each has a stable `kind`; the replayer
// checks recorded commands against new ones by kind and identity (replayer/machine.ts).
import type { SerializedFailure } from "./failures.js";
import { ActivityRetryPolicy, type ChildWorkflowRetryPolicy } from "./retry-policy.js";
import { checkSearchAttributes, type SearchAttributes } from "./search-attributes.js";
import { attachedDefinition, type WorkflowClassRef } from "./workflow/registry.js";

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

/**
 * What happens to a running child when its parent closes: `terminate` it (the default, as in
 * Temporal) or `abandon` it to run on alone.
 */
export type ParentClosePolicy = "terminate" | "abandon";

export interface StartChildWorkflowOptions {
  /** Unique among open runs. Default: `<parent run id>/<child number>`, stable across replays. */
  workflowId?: string;
  /** Default: the parent's task queue. */
  taskQueue?: string;
  parentClosePolicy?: ParentClosePolicy;
  /** Without one, a child that fails is not run again. */
  retryPolicy?: ChildWorkflowRetryPolicy;
  /** Longest the child may take over all its runs (retries, continue-as-new). Seconds. */
  executionTimeoutSeconds?: number;
  /** Longest one run of the child may take. Seconds. */
  runTimeoutSeconds?: number;
}

/**
 * Starts a child workflow and waits for it: the yield resolves to the child's result, or
 * throws a ChildWorkflowFailure when it fails, times out or is terminated.
 */
export class StartChildWorkflow {
  readonly kind = "StartChildWorkflow";
  readonly workflowType: string;
  constructor(
    workflow: string | WorkflowClassRef,
    readonly args: readonly unknown[] = [],
    readonly options: StartChildWorkflowOptions = {},
  ) {
    this.workflowType = typeof workflow === "string" ? workflow : attachedDefinition(workflow).name;
    checkTimeout(options.executionTimeoutSeconds, "executionTimeoutSeconds");
    checkTimeout(options.runTimeoutSeconds, "runTimeoutSeconds");
  }
}

/**
 * Closes this run and starts a new run of the same workflow id with `args` and an empty
 * history; return it (or yield it) from `run`. Signals not yet seen move to the new run.
 */
export class ContinueAsNew {
  readonly kind = "ContinueAsNew";
  readonly workflowType: string | undefined;
  constructor(
    readonly args: readonly unknown[] = [],
    readonly options: { workflow?: string | WorkflowClassRef; taskQueue?: string } = {},
  ) {
    const w = options.workflow;
    this.workflowType = w === undefined || typeof w === "string" ? w : attachedDefinition(w).name;
  }
}

/**
 * Records which version of a code change this run follows; use `ctx.getVersion`, which
 * returns the version. See docs/history-events.md (VersionMarkerRecorded) for the rules.
 */
export class RecordVersionMarker {
  readonly kind = "RecordVersionMarker";
  constructor(
    readonly changeId: string,
    readonly minSupported: number,
    readonly maxSupported: number,
  ) {
    if (!changeId) throw new TypeError("a version marker needs a non-empty change id");
    if (!Number.isInteger(minSupported) || !Number.isInteger(maxSupported) || minSupported > maxSupported || minSupported < 0) {
      throw new RangeError(`version range of "${changeId}" must be integers 0 <= min <= max, got ${minSupported}..${maxSupported}`);
    }
  }
}

/**
 * Merges `attributes` into the run's search attributes (a null value removes a key); clients
 * filter runs by them (Client.list). Resolves at once.
 */
export class UpsertSearchAttributes {
  readonly kind = "UpsertSearchAttributes";
  constructor(readonly attributes: SearchAttributes) {
    checkSearchAttributes(attributes);
  }
}

/** Seconds as the whole milliseconds the SQL API takes (rounded up); absent is null. */
export function toMs(seconds: number | undefined): number | null {
  return seconds === undefined ? null : Math.ceil(seconds * 1000);
}

/** Workflow timeouts: up to ten years (weft.timeout_option enforces the same in SQL). */
export function checkTimeout(seconds: number | undefined, name: string): void {
  if (seconds !== undefined && !(seconds > 0 && seconds <= 10 * 365 * 24 * 3600)) {
    throw new RangeError(`${name} must be a number of seconds between 0 and ten years, got ${seconds}`);
  }
}

export type Command =
  | ScheduleActivity
  | StartTimer
  | RecordSideEffect
  | CompleteWorkflow
  | FailWorkflow
  | WaitCondition
  | StartChildWorkflow
  | ContinueAsNew
  | RecordVersionMarker
  | UpsertSearchAttributes;

/** A child workflow's start, as the SQL API receives it (also in ChildWorkflowScheduled). */
export interface WireChildStart {
  childId: number;
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  parentClosePolicy: ParentClosePolicy;
  retryPolicy: ReturnType<ChildWorkflowRetryPolicy["toJSON"]> | null;
  executionTimeoutMs: number | null;
  runTimeoutMs: number | null;
}

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
  | { kind: "FailWorkflow"; failure: SerializedFailure }
  | ({ kind: "StartChildWorkflow" } & WireChildStart)
  | { kind: "ContinueAsNew"; workflowType: string; taskQueue: string; args: unknown[] }
  | { kind: "RecordVersionMarker"; changeId: string; version: number }
  | { kind: "UpsertSearchAttributes"; attributes: SearchAttributes };
