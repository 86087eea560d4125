// What the client shows of runs: the types its read methods return, each with the zod schema
// that parses it from weft's SQL functions (sql/functions/visibility.sql), annotated with the
// type so the compiler keeps the two the same.
import { z } from "zod";
import type { SerializedFailure } from "../failures.js";
import { failureSchema } from "../history.js";
import { runStatusSchema, type RunStatus } from "../run-status.js";
import { searchAttributeValueSchema, type SearchAttributeValue } from "../search-attributes.js";

export interface PendingActivity {
  activityId: number;
  activityType: string;
  taskQueue: string;
  status: "scheduled" | "started";
  attempt: number;
  scheduledAt: Date;
  /** When the current attempt may start (later than now while backing off). */
  attemptScheduledAt: Date;
  startedAt: Date | null;
  lastHeartbeatAt: Date | null;
  heartbeatDetails: unknown;
  lastFailure: SerializedFailure | null;
}

export interface PendingTimer {
  timerId: string;
  fireAt: string;
}

export interface PendingChild {
  childId: number;
  workflowId: string;
  runId: string;
  workflowType: string;
  attempt: number;
}

export interface RunSummary {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: RunStatus;
  /** 1, or more when a retry policy ran the workflow again. */
  attempt: number;
  createdAt: Date;
  closedAt: Date | null;
  searchAttributes: Record<string, SearchAttributeValue>;
  parent: { workflowId: string; runId: string } | null;
  /** The run that carries this workflow on (continue-as-new or retry). */
  nextRunId: string | null;
}

export interface WorkflowDescription extends RunSummary {
  continuedFromRunId: string | null;
  /** When this run, or the whole workflow, times out. */
  runDeadline: Date | null;
  executionDeadline: Date | null;
  result: unknown;
  failure: SerializedFailure | null;
  historyLength: number;
  /** Events waiting for the next workflow task. */
  inboxLength: number;
  pendingActivities: PendingActivity[];
  pendingTimers: PendingTimer[];
  /** Child workflows still running. */
  pendingChildren: PendingChild[];
  /** The last workflow task's error (non-determinism, unknown type...); null once a task succeeds. */
  lastWorkflowTaskFailure: (SerializedFailure & { at?: string }) | null;
  workflowTaskFailures: number;
  unhandledSignals: { eventId: number; signalName: string }[];
}

/** Whether a run is closed and how (what Client.result waits on). */
export interface RunState {
  workflowId: string;
  runId: string;
  status: RunStatus;
  result: unknown;
  failure: SerializedFailure | null;
  /** The run that carries the workflow on (continue-as-new, retry); result() follows it. */
  nextRunId: string | null;
}

// JSON timestamps (ISO 8601 with an offset) as Dates.
const date = z.iso.datetime({ offset: true }).transform((text) => new Date(text));
const integer = z.number().int();

export const pendingActivitySchema: z.ZodType<PendingActivity> = z.object({
  activityId: integer,
  activityType: z.string(),
  taskQueue: z.string(),
  status: z.enum(["scheduled", "started"]),
  attempt: integer,
  scheduledAt: date,
  attemptScheduledAt: date,
  startedAt: date.nullable(),
  lastHeartbeatAt: date.nullable(),
  heartbeatDetails: z.unknown(),
  lastFailure: failureSchema.nullable(),
});

const summaryShape = {
  workflowId: z.string(),
  runId: z.guid(),
  workflowType: z.string(),
  taskQueue: z.string(),
  status: runStatusSchema,
  attempt: integer,
  createdAt: date,
  closedAt: date.nullable(),
  searchAttributes: z.record(z.string(), searchAttributeValueSchema),
  parent: z.object({ workflowId: z.string(), runId: z.guid() }).nullable(),
  nextRunId: z.guid().nullable(),
};

export const runSummarySchema: z.ZodType<RunSummary> = z.object(summaryShape);

export const workflowDescriptionSchema: z.ZodType<WorkflowDescription> = z.object({
  ...summaryShape,
  continuedFromRunId: z.guid().nullable(),
  runDeadline: date.nullable(),
  executionDeadline: date.nullable(),
  result: z.unknown(),
  failure: failureSchema.nullable(),
  historyLength: integer,
  inboxLength: integer,
  pendingActivities: z.array(pendingActivitySchema),
  pendingTimers: z.array(z.object({ timerId: z.string(), fireAt: z.string() })),
  pendingChildren: z.array(
    z.object({ childId: integer, workflowId: z.string(), runId: z.guid(), workflowType: z.string(), attempt: integer }),
  ),
  lastWorkflowTaskFailure: z.intersection(failureSchema, z.object({ at: z.string().optional() })).nullable(),
  workflowTaskFailures: integer,
  unhandledSignals: z.array(z.object({ eventId: integer, signalName: z.string() })),
});

export const runStateSchema: z.ZodType<RunState> = z.object({
  workflowId: z.string(),
  runId: z.guid(),
  status: runStatusSchema,
  result: z.unknown(),
  failure: failureSchema.nullable(),
  nextRunId: z.guid().nullable(),
});

/** How many runs match, and by status when asked (Client.count). */
export interface RunCount {
  count: number;
  groups: { status: RunStatus; count: number }[];
}

export const runCountSchema: z.ZodType<RunCount> = z.object({
  count: integer,
  groups: z.array(z.object({ status: runStatusSchema, count: integer })),
});
