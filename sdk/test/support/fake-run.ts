// Plays the database's part in replayer tests: the inbox is moved into history as one
// workflow task, the code is replayed, and the commands it yields are appended as events of
// that same task, as weft.claim_workflow_task and weft.complete_workflow_task do.
// ../fake-run.test.ts checks the command events against histories the engine recorded.
import {
  parseHistory,
  replay,
  serializeFailure,
  workflowDefinition,
  type ReplayResult,
  type WireCommand,
} from "@weft/sdk/internal";
import type { HistoryEvent, WorkflowClass } from "@weft/sdk";
import { RUN_ID } from "../fixtures/saved-history.js";

export { RUN_ID };

/** Timer deadlines count from a fixed clock; replay never reads them. */
const CLOCK = Date.parse("2025-01-01T00:00:00.000Z");

interface Incoming {
  readonly type:
    | "WorkflowStarted"
    | "SignalReceived"
    | "ActivityCompleted"
    | "ActivityFailed"
    | "TimerFired"
    | "ChildWorkflowCompleted"
    | "ChildWorkflowFailed";
  readonly attributes: Record<string, unknown>;
}

/** The history event weft.complete_workflow_task appends for one command. */
function commandToEvent(command: WireCommand, eventId: number, task: number): unknown {
  const base = { eventId, task };
  switch (command.kind) {
    case "ScheduleActivity": {
      const { kind: _kind, ...attributes } = command;
      return { ...base, type: "ActivityScheduled", attributes };
    }
    case "StartTimer": {
      const fireAt = new Date(CLOCK + command.seconds * 1000).toISOString();
      return { ...base, type: "TimerStarted", attributes: { timerId: command.timerId, seconds: command.seconds, fireAt } };
    }
    case "RecordSideEffect":
      return { ...base, type: "MarkerRecorded", attributes: { markerName: command.markerName, value: command.value } };
    case "CompleteWorkflow":
      return { ...base, type: "WorkflowCompleted", attributes: { result: command.result } };
    case "FailWorkflow":
      // No retry policy here, so no next run (weft.create_next_run).
      return { ...base, type: "WorkflowFailed", attributes: { failure: command.failure, nextRunId: null } };
    case "StartChildWorkflow": {
      const { kind: _kind, ...attributes } = command;
      return { ...base, type: "ChildWorkflowScheduled", attributes: { ...attributes, runId: `child-run-${command.childId}` } };
    }
    case "ContinueAsNew": {
      const { kind: _kind, ...attributes } = command;
      return { ...base, type: "WorkflowContinuedAsNew", attributes: { ...attributes, newRunId: "next-run" } };
    }
    case "RecordVersionMarker":
      return { ...base, type: "VersionMarkerRecorded", attributes: { changeId: command.changeId, version: command.version } };
    case "UpsertSearchAttributes":
      return { ...base, type: "SearchAttributesUpserted", attributes: { attributes: command.attributes } };
  }
}

/** Events for one task's commands, numbered on from `firstEventId`, as jsonb would return them. */
export function commandsToEvents(commands: readonly WireCommand[], firstEventId: number, task: number): HistoryEvent[] {
  return fromJson(commands.map((command, index) => commandToEvent(command, firstEventId + index, task)));
}

/** JSON round trip plus the worker's own schema check: what a history read from the database looks like. */
function fromJson(events: unknown[]): HistoryEvent[] {
  return parseHistory(JSON.parse(JSON.stringify(events)));
}

/** One run of `cls`, advanced a workflow task at a time. */
export class FakeRun {
  readonly history: HistoryEvent[] = [];
  private readonly inbox: Incoming[] = [];
  private task = 0;
  private finished = false;

  constructor(
    public cls: WorkflowClass,
    args: unknown[] = [],
    options: { workflowId?: string; taskQueue?: string } = {},
  ) {
    this.inbox.push({
      type: "WorkflowStarted",
      attributes: {
        workflowType: workflowDefinition(cls).name,
        workflowId: options.workflowId ?? "wf-1",
        taskQueue: options.taskQueue ?? "default",
        args,
        attempt: 1,
        searchAttributes: {},
      },
    });
  }

  /** New code for the tasks that follow (a deploy); they replay the history so far. */
  deploy(cls: WorkflowClass): this {
    this.cls = cls;
    return this;
  }

  signal(signalName: string, ...args: unknown[]): this {
    this.inbox.push({ type: "SignalReceived", attributes: { signalName, args } });
    return this;
  }

  completeActivity(activityId: number, result: unknown, attempt = 1): this {
    this.inbox.push({ type: "ActivityCompleted", attributes: { activityId, result, attempt } });
    return this;
  }

  /** The activity failed for good on `attempt` with `error` (as weft.fail_activity records it). */
  failActivity(activityId: number, error: unknown, attempt = 1): this {
    const scheduled = this.history.find((e) => e.type === "ActivityScheduled" && e.attributes.activityId === activityId);
    if (scheduled?.type !== "ActivityScheduled") throw new Error(`activity ${activityId} was never scheduled`);
    const { activityType } = scheduled.attributes;
    this.inbox.push({ type: "ActivityFailed", attributes: { activityId, activityType, attempt, failure: serializeFailure(error) } });
    return this;
  }

  completeChild(childId: number, result: unknown): this {
    this.inbox.push({ type: "ChildWorkflowCompleted", attributes: { childId, runId: `child-run-${childId}`, result } });
    return this;
  }

  /** The child failed for good with `error` (as weft.close_run reports it to the parent). */
  failChild(childId: number, error: unknown): this {
    const scheduled = this.history.find((e) => e.type === "ChildWorkflowScheduled" && e.attributes.childId === childId);
    if (scheduled?.type !== "ChildWorkflowScheduled") throw new Error(`child ${childId} was never started`);
    const { workflowType, workflowId, runId } = scheduled.attributes;
    this.inbox.push({
      type: "ChildWorkflowFailed",
      attributes: { childId, workflowType, workflowId, runId, failure: serializeFailure(error) },
    });
    return this;
  }

  fireTimer(timerId: string): this {
    this.inbox.push({ type: "TimerFired", attributes: { timerId } });
    return this;
  }

  /** One workflow task: move the inbox into history, replay, append the new commands. */
  runTask(): ReplayResult {
    if (this.finished) throw new Error("the run is closed; the database would claim no more tasks");
    if (this.inbox.length === 0) throw new Error("the inbox is empty; the database would claim no task");
    const task = ++this.task;
    const moved = this.inbox.splice(0).map((event, index) => ({ ...event, eventId: this.nextEventId() + index, task }));
    this.history.push(...fromJson(moved));
    const result = replay(workflowDefinition(this.cls), this.history, { runId: RUN_ID, lastTaskIsNew: true });
    this.history.push(...commandsToEvents(result.commands, this.nextEventId(), task));
    this.finished = result.finished;
    return result;
  }

  private nextEventId(): number {
    return this.history.length + 1;
  }
}
