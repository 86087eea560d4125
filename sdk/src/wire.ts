// The one place public names become wire names: seconds and an activity's `taskQueue` become
// the whole milliseconds and `queue` that the SQL API reads and history events keep
// (docs/history-events.md). Saved histories hold the wire names, so they never change.
import type { ScheduleActivity, StartChildWorkflow, WireCommand } from "./commands.js";

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
