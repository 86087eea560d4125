// The wire commands: what a workflow task sends weft.complete_workflow_task
// (sql/functions/workflow-tasks.sql), defined here once as zod schemas; the worker parses
// every command with them before sending, and worker/test/contract.test.ts checks that the
// SQL reads exactly these kinds and fields. Also the one place public names become wire
// names: seconds and an activity's `taskQueue` become the whole milliseconds and `queue` that
// the SQL API reads and history events keep (docs/history-events.md). Saved histories hold
// the wire names, so they never change.
import { z } from "zod";
import type { ScheduleActivity, StartChildWorkflow } from "./commands.js";
import { failureSchema, retryPolicySchema } from "./history.js";
import { searchAttributesSchema } from "./search-attributes.js";

const json = z.unknown();
const args = z.array(json);
/** Whole milliseconds, or null for none; the SQL checks the range (weft.timeout_ms). */
const ms = z.number().int().nullable();
const wireRetryPolicy = retryPolicySchema.strict();

/** One command of a workflow task as weft.complete_workflow_task reads it; no other field is sent. */
export const wireCommandSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("ScheduleActivity"),
    activityId: z.number().int().positive(),
    activityType: z.string(),
    args,
    queue: z.string(),
    retryPolicy: wireRetryPolicy,
    startToCloseMs: ms,
    scheduleToStartMs: ms,
    scheduleToCloseMs: ms,
    heartbeatMs: ms,
  }),
  z.strictObject({ kind: z.literal("StartTimer"), timerId: z.string(), seconds: z.number().int().nonnegative() }),
  z.strictObject({ kind: z.literal("RecordSideEffect"), markerName: z.string(), value: json }),
  z.strictObject({ kind: z.literal("CompleteWorkflow"), result: json }),
  z.strictObject({ kind: z.literal("FailWorkflow"), failure: failureSchema }),
  z.strictObject({
    kind: z.literal("StartChildWorkflow"),
    childId: z.number().int().positive(),
    workflowType: z.string(),
    workflowId: z.string(),
    taskQueue: z.string(),
    args,
    parentClosePolicy: z.enum(["terminate", "abandon"]),
    retryPolicy: wireRetryPolicy.nullable(),
    executionTimeoutMs: ms,
    runTimeoutMs: ms,
  }),
  z.strictObject({ kind: z.literal("ContinueAsNew"), workflowType: z.string(), taskQueue: z.string(), args }),
  z.strictObject({ kind: z.literal("RecordVersionMarker"), changeId: z.string(), version: z.number().int() }),
  z.strictObject({ kind: z.literal("UpsertSearchAttributes"), attributes: searchAttributesSchema({ allowNull: true }) }),
]);

export type WireCommand = z.infer<typeof wireCommandSchema>;

/** Seconds as the whole milliseconds the SQL API takes (rounded up); absent is null. */
export function toMs(seconds: number | undefined): number | null {
  return seconds === undefined ? null : Math.ceil(seconds * 1000);
}

/** A workflow's timeouts as weft.start_workflow's options and StartChildWorkflow's command take them. */
export function workflowTimeoutsToWire(options: { executionTimeoutSeconds?: number; runTimeoutSeconds?: number }) {
  return { executionTimeoutMs: toMs(options.executionTimeoutSeconds), runTimeoutMs: toMs(options.runTimeoutSeconds) };
}

export function scheduleActivityToWire(
  command: ScheduleActivity,
  activityId: number,
  args: unknown[],
  defaultTaskQueue: string,
): WireCommand {
  const o = command.options;
  return {
    kind: "ScheduleActivity",
    activityId,
    activityType: command.activityType,
    args,
    queue: o.taskQueue ?? defaultTaskQueue,
    retryPolicy: command.retryPolicy.toJSON(),
    startToCloseMs: toMs(o.startToCloseTimeoutSeconds),
    scheduleToStartMs: toMs(o.scheduleToStartTimeoutSeconds),
    scheduleToCloseMs: toMs(o.scheduleToCloseTimeoutSeconds),
    heartbeatMs: toMs(o.heartbeatTimeoutSeconds),
  };
}

export function startChildWorkflowToWire(
  command: StartChildWorkflow,
  childId: number,
  args: unknown[],
  defaults: { workflowId: string; taskQueue: string },
): WireCommand {
  const o = command.options;
  return {
    kind: "StartChildWorkflow",
    childId,
    workflowType: command.workflowType,
    workflowId: o.workflowId ?? defaults.workflowId,
    taskQueue: o.taskQueue ?? defaults.taskQueue,
    args,
    parentClosePolicy: o.parentClosePolicy ?? "terminate",
    retryPolicy: o.retryPolicy?.toJSON() ?? null,
    ...workflowTimeoutsToWire(o),
  };
}
