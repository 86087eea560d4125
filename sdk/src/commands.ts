// Commands a workflow yields. Yield one to wait for its result, or an array of them to run
// them in parallel and get an array of results back. Each has a stable `kind`; the replayer
// checks recorded commands against new ones by kind and identity (replayer/machine.ts).
// `yield* command` waits the same way and types the result (Yieldable below).
import { checkOptions, MAX_TIMEOUT_SECONDS, scheduleActivityOptionsSchema, startChildWorkflowOptionsSchema } from "./options.js";
import { ActivityRetryPolicy, type ChildWorkflowRetryPolicy } from "./retry-policy.js";
import { checkSearchAttributes, type SearchAttributes } from "./search-attributes.js";
import { attachedDefinition, type WorkflowClassRef } from "./workflow/registry.js";

/**
 * A plain `yield command` resumes with `unknown`, since TypeScript gives every yield of a
 * generator one type; `yield* command` delegates to this one-step generator, whose return
 * type is the command's result `R`.
 */
abstract class Yieldable<R> {
  *[Symbol.iterator](): Generator<this, R, unknown> {
    return (yield this) as R;
  }
}

/** What waiting for command `C` resolves to: `CommandResult<ScheduleActivity<number>>` is `number`. */
export type CommandResult<C> = C extends Yieldable<infer R> ? R : never;

export interface ScheduleActivityOptions {
  /** Task queue of the workers that run it. Default: the workflow's task queue. */
  taskQueue?: string;
  retryPolicy?: ActivityRetryPolicy;
  /** Longest one attempt may run; it is then retried per the policy. */
  startToCloseTimeoutSeconds?: number;
  /** Longest an attempt may wait for a worker; the activity then fails. */
  scheduleToStartTimeoutSeconds?: number;
  /** Longest the activity may take over all attempts; it then fails. */
  scheduleToCloseTimeoutSeconds?: number;
  /** An attempt that does not heartbeat this often is timed out and retried. */
  heartbeatTimeoutSeconds?: number;
}

/** Runs activity `activityType` and resolves to its result `R` (unchecked: what the activity returns). */
export class ScheduleActivity<R = unknown> extends Yieldable<R> {
  readonly kind = "ScheduleActivity";
  readonly retryPolicy: ActivityRetryPolicy;
  constructor(
    readonly activityType: string,
    readonly args: readonly unknown[] = [],
    readonly options: ScheduleActivityOptions = {},
  ) {
    super();
    checkOptions(scheduleActivityOptionsSchema, options, `options of activity "${activityType}"`);
    this.retryPolicy = options.retryPolicy ?? new ActivityRetryPolicy();
  }
}

/** A durable timer. Deadlines are whole seconds; `seconds` is rounded up. */
export class StartTimer extends Yieldable<void> {
  readonly kind = "StartTimer";
  readonly seconds: number;
  constructor(
    seconds: number,
    /** Identity checked on replay; generated (`t1`, `t2`, ...) when absent. */
    readonly timerId?: string,
  ) {
    super();
    if (!(seconds >= 0) || !(seconds <= MAX_TIMEOUT_SECONDS)) {
      throw new RangeError(`timer duration must be a number of seconds from 0 to ten years (${MAX_TIMEOUT_SECONDS}), got ${seconds}`);
    }
    this.seconds = Math.ceil(seconds);
  }
}

/** Runs `fn` once, records its JSON result, and replays the recorded value ever after. */
export class RecordSideEffect<T = unknown> extends Yieldable<T> {
  readonly kind = "RecordSideEffect";
  constructor(
    readonly markerName: string,
    readonly fn: () => T,
  ) {
    super();
  }
}

export class CompleteWorkflow extends Yieldable<never> {
  readonly kind = "CompleteWorkflow";
  constructor(readonly result: unknown = null) {
    super();
  }
}

export class FailWorkflow extends Yieldable<never> {
  readonly kind = "FailWorkflow";
  constructor(readonly error: Error) {
    super();
  }
}

/**
 * Waits until `predicate` (usually over state that signal handlers set) is true, or until the
 * optional timeout, and resolves to whether it became true. Recorded only through its timer.
 */
export class WaitCondition extends Yieldable<boolean> {
  readonly kind = "WaitCondition";
  readonly timeoutSeconds: number | undefined;
  constructor(
    readonly predicate: () => boolean,
    timeoutSeconds?: number,
  ) {
    super();
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
  /** Longest the child may take over all its runs (retries, continue-as-new). */
  executionTimeoutSeconds?: number;
  /** Longest one run of the child may take. */
  runTimeoutSeconds?: number;
}

/**
 * Starts a child workflow and waits for it: the yield resolves to the child's result `R`
 * (inferred from a workflow class), or throws a ChildWorkflowFailure when it fails, times out
 * or is terminated.
 */
export class StartChildWorkflow<R = unknown> extends Yieldable<R> {
  readonly kind = "StartChildWorkflow";
  readonly workflowType: string;
  constructor(
    workflow: string | WorkflowClassRef<R>,
    readonly args: readonly unknown[] = [],
    readonly options: StartChildWorkflowOptions = {},
  ) {
    super();
    this.workflowType = typeof workflow === "string" ? workflow : attachedDefinition(workflow).name;
    checkOptions(startChildWorkflowOptionsSchema, options, `options of child workflow "${this.workflowType}"`);
  }
}

/**
 * Closes this run and starts a new run of the same workflow id with `args` and an empty
 * history; return it (or yield it) from `run`. Signals not yet seen move to the new run.
 */
export class ContinueAsNew extends Yieldable<never> {
  readonly kind = "ContinueAsNew";
  readonly workflowType: string | undefined;
  constructor(
    readonly args: readonly unknown[] = [],
    readonly options: { workflow?: string | WorkflowClassRef; taskQueue?: string } = {},
  ) {
    super();
    const w = options.workflow;
    this.workflowType = w === undefined || typeof w === "string" ? w : attachedDefinition(w).name;
  }
}

/**
 * Records which version of a code change this run follows; use `ctx.getVersion`, which
 * returns the version. See docs/history-events.md (VersionMarkerRecorded) for the rules.
 */
export class RecordVersionMarker extends Yieldable<number> {
  readonly kind = "RecordVersionMarker";
  constructor(
    readonly changeId: string,
    readonly minSupported: number,
    readonly maxSupported: number,
  ) {
    super();
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
export class UpsertSearchAttributes extends Yieldable<void> {
  readonly kind = "UpsertSearchAttributes";
  constructor(readonly attributes: SearchAttributes) {
    super();
    checkSearchAttributes(attributes);
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
