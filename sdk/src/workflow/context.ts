import { randomUUID } from "node:crypto";
import {
  RecordSideEffect,
  RecordVersionMarker,
  ScheduleActivity,
  StartChildWorkflow,
  StartTimer,
  WaitCondition,
  type Command,
  type CommandResult,
  type ScheduleActivityOptions,
  type StartChildWorkflowOptions,
} from "../commands.js";
import type { SearchAttributes } from "../search-attributes.js";
import type { WorkflowArgs, WorkflowClassRef, WorkflowResult } from "./registry.js";

export interface WorkflowInfo {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  /** 1, or more when a retry policy ran the workflow again after a failed run. */
  readonly attempt: number;
  /** The run that started this one as a child workflow. */
  readonly parent: { readonly workflowId: string; readonly runId: string } | null;
  /** The run that continued as this one (ContinueAsNew). */
  readonly continuedFromRunId: string | null;
  /** The run's search attributes as of the code's current point. */
  readonly searchAttributes: SearchAttributes;
  /** True while old history is being replayed; new commands are being decided when false. */
  readonly isReplaying: boolean;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What the replayer offers the context: recording of values that must replay verbatim. */
export interface Recorder {
  record<T>(command: RecordSideEffect<T>): T;
  version(command: RecordVersionMarker): number;
  readonly info: WorkflowInfo;
}

/**
 * The replay-safe surface passed to `run`. Values from `random`, `uuid4`, `now` and
 * `sideEffect` are recorded on first execution and replayed verbatim afterwards. The methods
 * that return a command work with `yield` (result `unknown`) and `yield*` (result typed).
 */
export class WorkflowContext {
  /** Logs only when not replaying, so each line appears once per run. */
  readonly logger: Logger;

  constructor(
    private readonly recorder: Recorder,
    logger: Logger,
  ) {
    const quiet = (log: Logger[keyof Logger]) => (message: string, fields?: Record<string, unknown>) => {
      if (!this.recorder.info.isReplaying) log.call(logger, message, { ...this.scope(), ...fields });
    };
    this.logger = {
      debug: quiet(logger.debug),
      info: quiet(logger.info),
      warn: quiet(logger.warn),
      error: quiet(logger.error),
    };
  }

  get info(): WorkflowInfo {
    return this.recorder.info;
  }

  /** `const total = yield* ctx.activity<number>("add", [1, 2], { startToCloseTimeoutSeconds: 10 })` */
  activity<R = unknown>(activityType: string, args: readonly unknown[] = [], options: ScheduleActivityOptions = {}): ScheduleActivity<R> {
    return new ScheduleActivity<R>(activityType, args, options);
  }

  /**
   * Runs commands in parallel and resolves to their results, typed per position:
   * `const [a, b] = yield* ctx.all([ctx.activity<number>("a"), ctx.activity<string>("b")])`.
   * The first failure throws. Plain `yield [a, b]` does the same, untyped.
   */
  *all<const C extends readonly Command[]>(commands: C): Generator<C, { -readonly [K in keyof C]: CommandResult<C[K]> }, unknown> {
    return (yield commands) as { -readonly [K in keyof C]: CommandResult<C[K]> };
  }

  /** Durable sleep; `yield ctx.sleep(1.5)`. Rounded up to whole seconds (one timer). */
  sleep(seconds: number): StartTimer {
    return new StartTimer(seconds);
  }

  startTimer(seconds: number, options: { timerId?: string } = {}): StartTimer {
    return new StartTimer(seconds, options.timerId);
  }

  /** `const ok = yield* ctx.waitCondition(() => this.approved, { timeoutSeconds: 60 })`: false when it timed out. */
  waitCondition(predicate: () => boolean, options: { timeoutSeconds?: number } = {}): WaitCondition {
    return new WaitCondition(predicate, options.timeoutSeconds);
  }

  /**
   * `const label = yield* ctx.startChildWorkflow(Shipping, [orderId])`: the child's result,
   * typed from the class's `run`, whose arguments `args` must match. By type name, give the
   * result type yourself: `ctx.startChildWorkflow<string>("shipping", [orderId])`.
   */
  startChildWorkflow<C extends WorkflowClassRef>(
    workflow: C,
    args?: WorkflowArgs<C>,
    options?: StartChildWorkflowOptions,
  ): StartChildWorkflow<WorkflowResult<C>>;
  startChildWorkflow<R = unknown>(workflow: string, args?: readonly unknown[], options?: StartChildWorkflowOptions): StartChildWorkflow<R>;
  startChildWorkflow(
    workflow: string | WorkflowClassRef,
    args: readonly unknown[] = [],
    options: StartChildWorkflowOptions = {},
  ): StartChildWorkflow {
    return new StartChildWorkflow(workflow, args, options);
  }

  /**
   * Which side of a code change this run takes: `if (ctx.getVersion("fraud-check", 0, 1) >= 1)`.
   * A run that reaches the call for the first time gets `maxSupported` (recorded); a run that
   * passed this point under older code gets 0; replays get what was recorded.
   */
  getVersion(changeId: string, minSupported: number, maxSupported: number): number {
    return this.recorder.version(new RecordVersionMarker(changeId, minSupported, maxSupported));
  }

  random(): number {
    return this.recorder.record(new RecordSideEffect("random", Math.random));
  }

  uuid4(): string {
    return this.recorder.record(new RecordSideEffect("uuid4", randomUUID));
  }

  now(): Date {
    return new Date(this.recorder.record(new RecordSideEffect("now", Date.now)));
  }

  sideEffect<T>(fn: () => T, markerName = "sideEffect"): T {
    return this.recorder.record(new RecordSideEffect(markerName, fn));
  }

  private scope() {
    return { workflowId: this.info.workflowId, runId: this.info.runId, workflowType: this.info.workflowType };
  }
}
