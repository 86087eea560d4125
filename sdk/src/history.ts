// Glossary
// - workflow: a durable orchestration, written as a class whose `*run` generator yields commands.
// - run: one execution of a workflow, with its own run id, history and inbox.
// - workflow id: the caller's name for a workflow; unique among open runs.
// - command: what a workflow asks for (schedule an activity, start a timer, ...); see commands.ts.
// - history event: an append-only record of what happened to a run; the replayer's only input.
//   Language-neutral format, documented in docs/history-events.md.
// - workflow task: one turn of a run: move its inbox into history, replay, append new commands.
//   Every event carries the number of the task that appended it.
// - inbox: events that arrived while no workflow task held the run (results, timers, signals).
// - child workflow: a run started by another run's command; its close is reported to the parent.
// - continue-as-new: a run closing by starting a new run of its workflow id with fresh history.
// - activity: a function run by a worker on behalf of a workflow, retried per its policy;
//   each try is an attempt.
import { z } from "zod";
import { UndecodableEventError } from "./errors.js";
import type { SerializedFailure } from "./failures.js";
import { searchAttributeValueSchema } from "./search-attributes.js";

/** A failure as history and the wire commands hold it (failures.ts serializes it). */
export const failureSchema: z.ZodType<SerializedFailure> = z.lazy(() =>
  z.looseObject({
    name: z.string(),
    type: z.string(),
    message: z.string(),
    stack: z.string().optional(),
    details: z.unknown().optional(),
    nonRetryable: z.boolean().optional(),
    cause: failureSchema.optional(),
    timeoutType: z
      .enum(["startToClose", "scheduleToStart", "scheduleToClose", "heartbeat", "workflowRun", "workflowExecution"])
      .optional(),
    activityType: z.string().optional(),
    activityId: z.number().optional(),
    attempt: z.number().optional(),
    workflowType: z.string().optional(),
    workflowId: z.string().optional(),
    runId: z.string().optional(),
  }),
  // Named, so a JSON Schema of it (the server's OpenAPI document) refers to itself for `cause`.
).meta({ id: "Failure" });

/** A retry policy as history and the wire commands hold it (RetryPolicy.toJSON). */
export const retryPolicySchema = z.object({
  maxAttempts: z.number(),
  initialIntervalSeconds: z.number(),
  backoffCoefficient: z.number(),
  maximumIntervalSeconds: z.number().nullable(),
  nonRetryableErrorTypes: z.array(z.string()).readonly(),
  backoffSeconds: z.array(z.number()).readonly().nullable(),
});

const json = z.unknown();
const searchAttributesSchema = z.record(z.string(), searchAttributeValueSchema.nullable());

const eventBase = { eventId: z.number().int().positive(), task: z.number().int().positive(), createdAt: z.string().optional() };

export const historyEventSchema = z.discriminatedUnion("type", [
  z.object({
    ...eventBase,
    type: z.literal("WorkflowStarted"),
    attributes: z.object({
      workflowType: z.string(),
      workflowId: z.string(),
      taskQueue: z.string(),
      args: z.array(json),
      // Absent in histories recorded before they existed (a plain first run).
      attempt: z.number().int().optional(),
      parentRunId: z.string().nullish(),
      parentWorkflowId: z.string().nullish(),
      continuedFromRunId: z.string().nullish(),
      searchAttributes: searchAttributesSchema.optional(),
    }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("SignalReceived"),
    attributes: z.object({ signalName: z.string(), args: z.array(json) }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("ActivityScheduled"),
    attributes: z.object({
      activityId: z.number().int(),
      activityType: z.string(),
      args: z.array(json),
      queue: z.string(),
      retryPolicy: retryPolicySchema,
      startToCloseMs: z.number().nullish(),
      scheduleToStartMs: z.number().nullish(),
      scheduleToCloseMs: z.number().nullish(),
      heartbeatMs: z.number().nullish(),
    }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("ActivityCompleted"),
    attributes: z.object({ activityId: z.number().int(), result: json, attempt: z.number().int() }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("ActivityFailed"),
    attributes: z.object({
      activityId: z.number().int(),
      activityType: z.string(),
      attempt: z.number().int(),
      failure: failureSchema,
    }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("TimerStarted"),
    attributes: z.object({ timerId: z.string(), seconds: z.number().int(), fireAt: z.string() }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("TimerFired"),
    attributes: z.object({ timerId: z.string() }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("MarkerRecorded"),
    attributes: z.object({ markerName: z.string(), value: json }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("ChildWorkflowScheduled"),
    attributes: z.object({
      childId: z.number().int(),
      workflowType: z.string(),
      workflowId: z.string(),
      taskQueue: z.string(),
      args: z.array(json),
      parentClosePolicy: z.enum(["terminate", "abandon"]),
      retryPolicy: retryPolicySchema.nullable(),
      executionTimeoutMs: z.number().nullable(),
      runTimeoutMs: z.number().nullable(),
      /** The child's first run; null when it could not start (ChildWorkflowFailed follows). */
      runId: z.string().nullable(),
    }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("ChildWorkflowCompleted"),
    attributes: z.object({ childId: z.number().int(), runId: z.string(), result: json }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("ChildWorkflowFailed"),
    attributes: z.object({
      childId: z.number().int(),
      workflowType: z.string(),
      workflowId: z.string(),
      runId: z.string().nullable(),
      failure: failureSchema,
    }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("VersionMarkerRecorded"),
    attributes: z.object({ changeId: z.string(), version: z.number().int() }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("SearchAttributesUpserted"),
    attributes: z.object({ attributes: searchAttributesSchema }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("WorkflowContinuedAsNew"),
    attributes: z.object({ newRunId: z.string(), workflowType: z.string(), taskQueue: z.string(), args: z.array(json) }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("WorkflowTerminated"),
    attributes: z.object({ reason: z.string() }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("WorkflowTimedOut"),
    attributes: z.object({ timeoutType: z.enum(["workflowRun", "workflowExecution"]) }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("WorkflowCompleted"),
    attributes: z.object({ result: json }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("WorkflowFailed"),
    // nextRunId: the run that retries this one (a retry policy), when there is one.
    attributes: z.object({ failure: failureSchema, nextRunId: z.string().nullish() }),
  }),
]);

export type HistoryEvent = z.infer<typeof historyEventSchema>;
export type HistoryEventType = HistoryEvent["type"];
export type EventOf<T extends HistoryEventType> = Extract<HistoryEvent, { type: T }>;

/** Events that record a command the workflow issued; replay checks them against the code. */
export const COMMAND_EVENT_TYPES: ReadonlySet<HistoryEventType> = new Set([
  "ActivityScheduled",
  "TimerStarted",
  "MarkerRecorded",
  "ChildWorkflowScheduled",
  "VersionMarkerRecorded",
  "SearchAttributesUpserted",
  "WorkflowContinuedAsNew",
  "WorkflowCompleted",
  "WorkflowFailed",
]);

export function isCommandEvent(event: HistoryEvent): boolean {
  return COMMAND_EVENT_TYPES.has(event.type);
}

const EVENT_TYPES: ReadonlySet<string> = new Set(historyEventSchema.options.map((option) => option.shape.type.value));

/** Decodes a run's events one by one, so that one that does not decode is named: UndecodableEventError. */
export function parseHistory(events: unknown): HistoryEvent[] {
  return z.array(z.unknown()).parse(events).map(decodeEvent);
}

function decodeEvent(raw: unknown): HistoryEvent {
  const parsed = historyEventSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const { eventId, type } = (typeof raw === "object" && raw !== null ? raw : {}) as { eventId?: unknown; type?: unknown };
  const id = typeof eventId === "number" ? eventId : undefined;
  const what = `event ${id ?? "(no id)"} (${typeof type === "string" ? type.slice(0, 100) : "no type"})`;
  if (typeof type === "string" && !EVENT_TYPES.has(type)) {
    throw new UndecodableEventError(`${what} is of a type this worker does not know; a newer weft may have written it`, id, true);
  }
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "event"}: ${issue.message}`);
  throw new UndecodableEventError(`${what} cannot be decoded: ${problems.join("; ")}`, id, false);
}
