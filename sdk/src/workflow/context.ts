import { randomUUID } from "node:crypto";
import { RecordSideEffect, StartTimer, WaitCondition } from "../commands.js";

export interface WorkflowInfo {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly attempt: number;
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
export interface SideEffectRecorder {
  record<T>(command: RecordSideEffect<T>): T;
  readonly info: WorkflowInfo;
}

/**
 * The replay-safe surface passed to `run`. Values from `random`, `uuid4`, `now` and
 * `sideEffect` are recorded on first execution and replayed verbatim afterwards.
 */
export class WorkflowContext {
  /** Logs only when not replaying, so each line appears once per run. */
  readonly logger: Logger;

  constructor(
    private readonly recorder: SideEffectRecorder,
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

  /** Durable sleep; `yield ctx.sleep(1.5)`. Rounded up to whole seconds (one timer). */
  sleep(seconds: number): StartTimer {
    return new StartTimer(seconds);
  }

  startTimer(seconds: number, options: { timerId?: string } = {}): StartTimer {
    return new StartTimer(seconds, options.timerId);
  }

  /** `const ok = yield ctx.waitCondition(() => this.approved, { timeoutSeconds: 60 })` */
  waitCondition(predicate: () => boolean, options: { timeoutSeconds?: number } = {}): WaitCondition {
    return new WaitCondition(predicate, options.timeoutSeconds);
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
