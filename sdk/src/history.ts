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
// - activity: a function run by a worker on behalf of a workflow, retried per its policy;
//   each try is an attempt.
import { z } from "zod";
import type { SerializedFailure } from "./failures.js";

const failureSchema: z.ZodType<SerializedFailure> = z.lazy(() =>
  z.looseObject({
    name: z.string(),
    type: z.string(),
    message: z.string(),
    stack: z.string().optional(),
    details: z.unknown().optional(),
    nonRetryable: z.boolean().optional(),
    cause: failureSchema.optional(),
    timeoutType: z.enum(["startToClose", "scheduleToStart", "scheduleToClose", "heartbeat"]).optional(),
    activityType: z.string().optional(),
    activityId: z.number().optional(),
    attempt: z.number().optional(),
  }),
);

const retryPolicySchema = z.object({
  maxAttempts: z.number(),
  initialIntervalSeconds: z.number(),
  backoffCoefficient: z.number(),
  maximumIntervalSeconds: z.number().nullable(),
  nonRetryableErrorTypes: z.array(z.string()),
  backoffSeconds: z.array(z.number()).nullable(),
});

const json = z.unknown();

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
    type: z.literal("WorkflowCompleted"),
    attributes: z.object({ result: json }),
  }),
  z.object({
    ...eventBase,
    type: z.literal("WorkflowFailed"),
    attributes: z.object({ failure: failureSchema }),
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
  "WorkflowCompleted",
  "WorkflowFailed",
]);

export function isCommandEvent(event: HistoryEvent): boolean {
  return COMMAND_EVENT_TYPES.has(event.type);
}

export const historySchema = z.array(historyEventSchema);

export function parseHistory(events: unknown): HistoryEvent[] {
  return historySchema.parse(events);
}
