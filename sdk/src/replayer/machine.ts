// One run's workflow instance driven through history, task by task. Pure: no I/O, no clock;
// every value that differs between executions comes from history.
import {
  CompleteWorkflow,
  ContinueAsNew,
  FailWorkflow,
  RecordSideEffect,
  RecordVersionMarker,
  ScheduleActivity,
  StartChildWorkflow,
  StartTimer,
  UpsertSearchAttributes,
  WaitCondition,
} from "../commands.js";
import { NonDeterminismError, WorkflowTaskError } from "../errors.js";
import { ActivityFailure, ChildWorkflowFailure, deserializeFailure, serializeFailure } from "../failures.js";
import type { SearchAttributes } from "../search-attributes.js";
import { isCommandEvent, type EventOf, type HistoryEvent } from "../history.js";
import { scheduleActivityToWire, startChildWorkflowToWire, type WireCommand } from "../wire.js";
import { WorkflowContext, type Logger, type Recorder, type WorkflowInfo } from "../workflow/context.js";
import type { WorkflowDefinition, WorkflowGenerator, WorkflowInstance } from "../workflow/definition.js";

type Outcome = { ok: true; value: unknown } | { ok: false; error: Error };

/** What one yielded command waits for; `outcome` sticks once set. */
type Slot =
  | { type: "activity"; activityId: number; outcome?: Outcome }
  | { type: "child"; childId: number; outcome?: Outcome }
  | { type: "timer"; timerId: string; outcome?: Outcome }
  | { type: "condition"; predicate: () => boolean; timerId: string | undefined; outcome?: Outcome }
  | { type: "value"; outcome: Outcome }
  | { type: "never"; outcome?: Outcome };

interface Waiting {
  readonly slots: Slot[];
  readonly parallel: boolean;
}

export class WorkflowMachine implements Recorder {
  private instance: WorkflowInstance | undefined;
  private generator: WorkflowGenerator | undefined;
  private ctx: WorkflowContext | undefined;
  private args: unknown[] = [];
  private waiting: Waiting | undefined;
  private finished = false;
  private nextActivityId = 1;
  private nextTimerSeq = 1;
  private nextChildId = 1;
  private readonly outcomes = new Map<number, Outcome>();
  private readonly childOutcomes = new Map<number, Outcome>();
  /** Change id -> the version this run follows (ctx.getVersion). */
  private readonly versions = new Map<string, number>();
  /** Version markers in the history applied so far, by change id (looked up, not matched). */
  private readonly recordedVersions = new Map<string, EventOf<"VersionMarkerRecorded">>();
  private readonly firedTimers = new Set<string>();
  private readonly usedTimerIds = new Set<string>();
  /** Recorded command events of the task being replayed, matched in order. */
  private expected: HistoryEvent[] = [];
  private currentTask = 0;
  private lastEventId = 0;
  /** A determinism error raised inside user code, rethrown even if that code swallows it. */
  private fatal: NonDeterminismError | undefined;
  private handlerFailure: Error | undefined;
  private output: WireCommand[] = [];
  private unhandledSignals: { eventId: number; signalName: string }[] = [];
  private mutableInfo: { -readonly [K in keyof WorkflowInfo]: WorkflowInfo[K] };

  constructor(
    private readonly definition: WorkflowDefinition,
    runId: string,
    private readonly logger: Logger,
  ) {
    this.mutableInfo = {
      workflowId: "",
      runId,
      workflowType: definition.name,
      taskQueue: "",
      attempt: 1,
      parent: null,
      continuedFromRunId: null,
      searchAttributes: {},
      isReplaying: true,
    };
  }

  get info(): WorkflowInfo {
    return this.mutableInfo;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /**
   * Applies one workflow task's events. When `replaying`, the commands the code yields must
   * match the task's recorded command events; otherwise they are new and returned.
   */
  applyTask(
    events: readonly HistoryEvent[],
    replaying: boolean,
  ): { commands: WireCommand[]; unhandledSignals: { eventId: number; signalName: string }[] } {
    this.mutableInfo.isReplaying = replaying;
    this.currentTask = events[0]?.task ?? this.currentTask;
    // Version markers are looked up by change id (version()), not matched by position.
    this.expected = replaying ? events.filter((e) => isCommandEvent(e) && e.type !== "VersionMarkerRecorded") : [];
    for (const event of events) {
      if (event.type === "VersionMarkerRecorded") this.recordedVersions.set(event.attributes.changeId, event);
    }
    this.output = [];
    this.unhandledSignals = [];
    for (const event of events) {
      this.lastEventId = event.eventId;
      if (!isCommandEvent(event)) this.apply(event, replaying);
    }
    this.drive();
    const leftover = this.expected[0];
    if (leftover) {
      throw new NonDeterminismError(
        `history has ${describeEvent(leftover)} at event ${leftover.eventId} (task ${this.currentTask}), ` +
          `but the workflow code no longer yields it there`,
        leftover.eventId,
      );
    }
    return { commands: this.output, unhandledSignals: this.unhandledSignals };
  }

  private apply(event: HistoryEvent, replaying: boolean): void {
    switch (event.type) {
      case "WorkflowStarted":
        this.start(event);
        return;
      case "SignalReceived":
        this.deliverSignal(event, replaying);
        return;
      case "ActivityCompleted":
        this.outcomes.set(event.attributes.activityId, { ok: true, value: event.attributes.result });
        return;
      case "ActivityFailed": {
        const { activityType, activityId, attempt, failure } = event.attributes;
        const error = new ActivityFailure(activityType, activityId, attempt, deserializeFailure(failure));
        this.outcomes.set(activityId, { ok: false, error });
        return;
      }
      case "TimerFired":
        this.firedTimers.add(event.attributes.timerId);
        return;
      case "ChildWorkflowCompleted":
        this.childOutcomes.set(event.attributes.childId, { ok: true, value: event.attributes.result });
        return;
      case "ChildWorkflowFailed": {
        const { childId, workflowType, workflowId, runId, failure } = event.attributes;
        const error = new ChildWorkflowFailure(workflowType, workflowId, runId, deserializeFailure(failure));
        this.childOutcomes.set(childId, { ok: false, error });
        return;
      }
      case "WorkflowTerminated":
      case "WorkflowTimedOut":
        // Closed from outside; nothing runs after these.
        this.finished = true;
        this.waiting = undefined;
        return;
      default:
        throw new WorkflowTaskError(`event ${event.eventId} of type ${event.type} cannot arrive from outside`);
    }
  }

  private start(event: EventOf<"WorkflowStarted">): void {
    const { workflowId, taskQueue, args, attempt, parentRunId, parentWorkflowId, continuedFromRunId } = event.attributes;
    Object.assign(this.mutableInfo, {
      workflowId,
      taskQueue,
      attempt: attempt ?? 1,
      parent: parentRunId && parentWorkflowId ? { workflowId: parentWorkflowId, runId: parentRunId } : null,
      continuedFromRunId: continuedFromRunId ?? null,
      searchAttributes: event.attributes.searchAttributes ?? {},
    });
    this.args = args;
    this.instance = new this.definition.cls();
    this.ctx = new WorkflowContext(this, this.logger);
  }

  private deliverSignal(event: EventOf<"SignalReceived">, replaying: boolean): void {
    const { signalName, args } = event.attributes;
    const method = this.definition.signals.get(signalName);
    if (this.finished) return;
    if (!method) {
      if (!replaying) this.unhandledSignals.push({ eventId: event.eventId, signalName });
      return;
    }
    try {
      (this.instance as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
    } catch (error) {
      if (!this.fatal) this.handlerFailure ??= error as Error;
    }
    if (this.fatal) throw this.fatal; // even when the handler swallowed it
  }

  /** Runs the generator until it waits on something unresolved or finishes. */
  private drive(): void {
    if (this.finished || !this.instance || !this.ctx) return;
    if (this.handlerFailure) {
      this.finish({ kind: "FailWorkflow", failure: serializeFailure(this.handlerFailure) });
      return;
    }
    if (!this.generator) {
      const instance = this.instance;
      const ctx = this.ctx;
      this.step(() => {
        this.generator = instance.run(ctx, ...(this.args as never[]));
        return this.generator.next();
      });
    }
    while (!this.finished && this.waiting) {
      const outcome = this.resolve(this.waiting);
      if (!outcome) return;
      this.waiting = undefined;
      const generator = this.generator!;
      this.step(() => (outcome.ok ? generator.next(outcome.value) : generator.throw(outcome.error)));
    }
  }

  private step(resume: () => IteratorResult<unknown, unknown>): void {
    let result: IteratorResult<unknown, unknown>;
    try {
      result = resume();
    } catch (error) {
      if (this.fatal) throw this.fatal;
      this.finish({ kind: "FailWorkflow", failure: serializeFailure(error) });
      return;
    }
    if (this.fatal) throw this.fatal;
    if (result.done) {
      if (result.value instanceof ContinueAsNew) this.finish(this.continueAsNew(result.value));
      else this.finish({ kind: "CompleteWorkflow", result: toJson(result.value) });
      return;
    }
    const yielded = result.value;
    const parallel = Array.isArray(yielded);
    const slots = (parallel ? (yielded as unknown[]) : [yielded]).map((command) => this.issue(command));
    if (!this.finished) this.waiting = { slots, parallel };
  }

  private issue(command: unknown): Slot {
    if (command instanceof ScheduleActivity) {
      const activityId = this.nextActivityId++;
      const args = toJson([...command.args]) as unknown[];
      this.emit(scheduleActivityToWire(command, activityId, args, this.info.taskQueue));
      return { type: "activity", activityId };
    }
    if (command instanceof StartTimer) {
      return { type: "timer", timerId: this.startTimer(command) };
    }
    if (command instanceof RecordSideEffect) {
      return { type: "value", outcome: { ok: true, value: this.record(command) } };
    }
    if (command instanceof WaitCondition) {
      // The timeout's timer starts even if the condition is already true: skipping it would
      // change the commands that recorded histories hold (sdk/test/fixtures/histories).
      const timerId =
        command.timeoutSeconds === undefined ? undefined : this.startTimer(new StartTimer(command.timeoutSeconds));
      return { type: "condition", predicate: command.predicate, timerId };
    }
    if (command instanceof StartChildWorkflow) {
      const childId = this.nextChildId++;
      const args = toJson([...command.args]) as unknown[];
      const defaults = { workflowId: `${this.info.runId}/${childId}`, taskQueue: this.info.taskQueue };
      this.emit(startChildWorkflowToWire(command, childId, args, defaults));
      return { type: "child", childId };
    }
    if (command instanceof RecordVersionMarker) {
      return { type: "value", outcome: { ok: true, value: this.version(command) } };
    }
    if (command instanceof UpsertSearchAttributes) {
      const attributes = toJson(command.attributes) as SearchAttributes;
      this.emit({ kind: "UpsertSearchAttributes", attributes });
      this.mutableInfo.searchAttributes = withoutNulls({ ...this.info.searchAttributes, ...attributes });
      return { type: "value", outcome: { ok: true, value: undefined } };
    }
    if (command instanceof ContinueAsNew) {
      this.finish(this.continueAsNew(command));
      return { type: "never" };
    }
    if (command instanceof CompleteWorkflow) {
      this.finish({ kind: "CompleteWorkflow", result: toJson(command.result) });
      return { type: "never" };
    }
    if (command instanceof FailWorkflow) {
      this.finish({ kind: "FailWorkflow", failure: serializeFailure(command.error) });
      return { type: "never" };
    }
    throw new WorkflowTaskError(
      `workflow ${this.definition.name} yielded ${describeValue(command)}, which is not a weft command ` +
        `(yield ScheduleActivity, ctx.sleep(...), ctx.waitCondition(...), or an array of them)`,
    );
  }

  private startTimer(command: StartTimer): string {
    let timerId = command.timerId;
    if (timerId === undefined) {
      do timerId = `t${this.nextTimerSeq++}`;
      while (this.usedTimerIds.has(timerId));
    } else if (this.usedTimerIds.has(timerId)) {
      // Fired timers are known by id, so a reused id would resolve at once.
      throw new WorkflowTaskError(`timer id "${timerId}" is already used in this run; give each timer its own id`);
    }
    this.usedTimerIds.add(timerId);
    this.emit({ kind: "StartTimer", timerId, seconds: command.seconds });
    return timerId;
  }

  /** Recorder: the recorded value when replaying, else `fn()` recorded now. */
  record<T>(command: RecordSideEffect<T>): T {
    if (this.info.isReplaying) {
      const expected = this.matchNext({ kind: "RecordSideEffect", markerName: command.markerName, value: null });
      return (expected as EventOf<"MarkerRecorded">).attributes.value as T;
    }
    const value = toJson(command.fn()) as T;
    this.output.push({ kind: "RecordSideEffect", markerName: command.markerName, value });
    return value;
  }

  /**
   * Recorder: the version of `changeId` this run follows. A recorded marker decides; without
   * one, a first execution records the newest version the code supports, and a replay (a run
   * that passed this point under older code) follows version 0. A version outside
   * [min, max] fails the workflow task.
   */
  version(command: RecordVersionMarker): number {
    const { changeId, minSupported, maxSupported } = command;
    const recorded = this.recordedVersions.get(changeId);
    let version = this.versions.get(changeId) ?? recorded?.attributes.version;
    if (version === undefined) {
      version = this.info.isReplaying ? 0 : maxSupported;
      if (!this.info.isReplaying) this.output.push({ kind: "RecordVersionMarker", changeId, version });
    }
    this.versions.set(changeId, version);
    if (version < minSupported || version > maxSupported) {
      throw this.raise(
        new NonDeterminismError(
          `this run follows version ${version} of change "${changeId}", but the code supports ` +
            `${minSupported}..${maxSupported}; deploy code that still handles version ${version} until such runs close`,
          recorded?.eventId ?? this.lastEventId,
        ),
      );
    }
    return version;
  }

  private continueAsNew(command: ContinueAsNew): WireCommand {
    return {
      kind: "ContinueAsNew",
      workflowType: command.workflowType ?? this.info.workflowType,
      taskQueue: command.options.taskQueue ?? this.info.taskQueue,
      args: toJson([...command.args]) as unknown[],
    };
  }

  private finish(command: WireCommand): void {
    this.finished = true;
    this.waiting = undefined;
    this.emit(command);
  }

  private emit(command: WireCommand): void {
    if (this.info.isReplaying) this.matchNext(command);
    else this.output.push(command);
  }

  /** Checks a command against the next recorded one of the task being replayed. */
  private matchNext(command: WireCommand): HistoryEvent {
    const expected = this.expected.shift();
    if (!expected) {
      throw this.raise(
        new NonDeterminismError(
          `the workflow code yields ${describeCommand(command)} in task ${this.currentTask}, ` +
            `but history recorded no further command there (last event ${this.lastEventId})`,
          this.lastEventId,
        ),
      );
    }
    if (!sameIdentity(expected, command)) {
      throw this.raise(
        new NonDeterminismError(
          `history has ${describeEvent(expected)} at event ${expected.eventId}, ` +
            `but the workflow code now yields ${describeCommand(command)}`,
          expected.eventId,
        ),
      );
    }
    return expected;
  }

  private raise(error: NonDeterminismError): NonDeterminismError {
    this.fatal ??= error;
    return error;
  }

  private resolve(waiting: Waiting): Outcome | undefined {
    const values: unknown[] = [];
    let pending = false;
    for (const slot of waiting.slots) {
      const outcome = this.resolveSlot(slot);
      if (outcome && !outcome.ok) return outcome; // parallel yields fail fast
      if (outcome) values.push(outcome.value);
      else pending = true;
    }
    if (pending) return undefined;
    return { ok: true, value: waiting.parallel ? values : values[0] };
  }

  private resolveSlot(slot: Slot): Outcome | undefined {
    if (slot.outcome) return slot.outcome;
    switch (slot.type) {
      case "activity":
        slot.outcome = this.outcomes.get(slot.activityId);
        break;
      case "child":
        slot.outcome = this.childOutcomes.get(slot.childId);
        break;
      case "timer":
        if (this.firedTimers.has(slot.timerId)) slot.outcome = { ok: true, value: undefined };
        break;
      case "condition":
        try {
          if (slot.predicate()) slot.outcome = { ok: true, value: true };
          else if (slot.timerId && this.firedTimers.has(slot.timerId)) slot.outcome = { ok: true, value: false };
        } catch (error) {
          slot.outcome = { ok: false, error: error as Error };
        }
        break;
      default:
        break;
    }
    return slot.outcome;
  }
}

function sameIdentity(event: HistoryEvent, command: WireCommand): boolean {
  switch (event.type) {
    case "ActivityScheduled":
      return (
        command.kind === "ScheduleActivity" &&
        command.activityType === event.attributes.activityType &&
        command.activityId === event.attributes.activityId
      );
    case "TimerStarted":
      return command.kind === "StartTimer" && command.timerId === event.attributes.timerId;
    case "MarkerRecorded":
      return command.kind === "RecordSideEffect" && command.markerName === event.attributes.markerName;
    case "ChildWorkflowScheduled":
      return (
        command.kind === "StartChildWorkflow" &&
        command.childId === event.attributes.childId &&
        command.workflowType === event.attributes.workflowType
      );
    case "SearchAttributesUpserted":
      return command.kind === "UpsertSearchAttributes";
    case "WorkflowContinuedAsNew":
      return command.kind === "ContinueAsNew";
    case "WorkflowCompleted":
      return command.kind === "CompleteWorkflow";
    case "WorkflowFailed":
      return command.kind === "FailWorkflow";
    default:
      return false;
  }
}

function describeEvent(event: HistoryEvent): string {
  switch (event.type) {
    case "ActivityScheduled":
      return `ActivityScheduled(${event.attributes.activityType}, id ${event.attributes.activityId})`;
    case "TimerStarted":
      return `TimerStarted(${event.attributes.timerId})`;
    case "MarkerRecorded":
      return `MarkerRecorded(${event.attributes.markerName})`;
    case "ChildWorkflowScheduled":
      return `ChildWorkflowScheduled(${event.attributes.workflowType}, child ${event.attributes.childId})`;
    default:
      return event.type;
  }
}

function describeCommand(command: WireCommand): string {
  switch (command.kind) {
    case "ScheduleActivity":
      return `ScheduleActivity(${command.activityType}, id ${command.activityId})`;
    case "StartTimer":
      return `StartTimer(${command.timerId})`;
    case "RecordSideEffect":
      return `RecordSideEffect(${command.markerName})`;
    case "StartChildWorkflow":
      return `StartChildWorkflow(${command.workflowType}, child ${command.childId})`;
    default:
      return command.kind;
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  // `yield ctx.all([...])` where `yield* ctx.all([...])` was meant
  if (typeof (value as Partial<Generator>).next === "function" && typeof (value as Partial<Generator>).throw === "function") {
    return "a generator (wait for what it yields with yield*, as in yield* ctx.all([...]))";
  }
  if (typeof value === "object") return `an object of class ${value.constructor?.name ?? "Object"}`;
  return `a ${typeof value}`;
}

function withoutNulls(attributes: SearchAttributes): SearchAttributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== null));
}

/** The value as history will hold it, so first execution and replay see the same thing. */
function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}
