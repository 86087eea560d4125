// weft's SQL API as the client calls it: the only SQL in sdk/src/client, every answer parsed
// with zod and every database error mapped to its typed error. The functions live in
// sql/functions/ (starts-and-signals.sql, visibility.sql); each is one a weft_client role may
// call (privileges.sql), so a client needs no table rights.
import type pg from "pg";
import { z } from "zod";
import { mapDatabaseError } from "../errors.js";
import { parseHistory, type HistoryEvent } from "../history.js";
import { sqlAnswer } from "../sql-answer.js";
import {
  runCountSchema,
  runStateSchema,
  runSummarySchema,
  workflowDescriptionSchema,
  type RunCount,
  type RunState,
  type RunSummary,
  type WorkflowDescription,
} from "./views.js";

const startAnswer = z.union([
  z.object({ runId: z.guid() }),
  z.object({ error: z.object({ code: z.string(), message: z.string(), hint: z.string().nullable() }) }),
]);
/** A start's run id, or why it was refused (its SQLSTATE, message and hint). */
export type StartAnswer = z.infer<typeof startAnswer>;

/** Where the client's calls go: its pool, and the namespace every call names. */
export interface ClientDb {
  readonly pool: pg.Pool;
  readonly namespace: string;
}

/** `startsJson`: a JSON array of weft.start_workflows' start objects (each names its namespace). One answer per start, in order. */
export function startWorkflows(pool: pg.Pool, startsJson: string): Promise<StartAnswer[]> {
  return sqlAnswer(pool, z.array(startAnswer), "select weft.start_workflows($1::jsonb) as answer", [startsJson]);
}

export async function signalWorkflow(db: ClientDb, workflowId: string, runId: string | null, signalName: string, argsJson: string): Promise<void> {
  await sqlAnswer(db.pool, z.guid(), "select weft.signal_workflow($1, $2, $3::jsonb, $4, $5) as answer", [
    workflowId,
    signalName,
    argsJson,
    runId,
    db.namespace,
  ]);
}

export async function terminateWorkflow(db: ClientDb, workflowId: string, runId: string | null, reason: string): Promise<void> {
  await sqlAnswer(db.pool, z.guid(), "select weft.terminate_workflow($1, $2, $3, $4) as answer", [workflowId, reason, runId, db.namespace]);
}

export function describeWorkflow(db: ClientDb, workflowId: string, runId: string | null): Promise<WorkflowDescription> {
  return sqlAnswer(db.pool, workflowDescriptionSchema, "select weft.describe_workflow($1, $2, $3) as answer", [workflowId, runId, db.namespace]);
}

/** Where a page of runs ends: its last run's created_at (UTC text, microseconds) and run id. */
export interface ListPosition {
  readonly createdAt: string;
  readonly runId: string;
}

const listAnswer = z.object({
  runs: z.array(runSummarySchema),
  next: z.object({ createdAt: z.string(), runId: z.guid() }).nullable(),
});

/** `filter`: weft.list_workflows' filter object (already checked by listFilterSchema). */
export function listWorkflows(
  db: ClientDb,
  filter: object,
  limit: number,
  after: ListPosition | null,
): Promise<{ runs: RunSummary[]; next: ListPosition | null }> {
  return sqlAnswer(db.pool, listAnswer, "select weft.list_workflows($1::jsonb, $2, $3::timestamptz, $4, $5) as answer", [
    JSON.stringify(filter),
    limit,
    after?.createdAt ?? null,
    after?.runId ?? null,
    db.namespace,
  ]);
}

export function countWorkflows(db: ClientDb, filter: object, groupBy: "status" | null): Promise<RunCount> {
  return sqlAnswer(db.pool, runCountSchema, "select weft.count_workflows($1::jsonb, $2, $3) as answer", [JSON.stringify(filter), groupBy, db.namespace]);
}

// parseHistory names an event it cannot decode (UndecodableEventError).
const historyAnswer = z.object({ runId: z.guid(), events: z.array(z.unknown()).transform(parseHistory) });

/** The run's events after `afterEventId`, at most `limit` (null: all). */
export async function workflowHistory(
  db: ClientDb,
  workflowId: string,
  runId: string | null,
  afterEventId = 0,
  limit: number | null = null,
): Promise<HistoryEvent[]> {
  const page = await sqlAnswer(db.pool, historyAnswer, "select weft.workflow_history($1, $2, $3, $4, $5) as answer", [
    workflowId,
    runId,
    afterEventId,
    limit,
    db.namespace,
  ]);
  return page.events;
}

/** The state of the workflow's newest run (or of `runId`). */
export function workflowState(db: ClientDb, workflowId: string, runId: string | null): Promise<RunState> {
  return sqlAnswer(db.pool, runStateSchema, "select weft.workflow_state($1, $2, $3) as answer", [workflowId, runId, db.namespace]);
}

/** The states of these runs (ids the client found in its namespace), in no particular order; an unknown id is left out. */
export function runStates(pool: pg.Pool, runIds: readonly string[]): Promise<RunState[]> {
  return sqlAnswer(pool, z.array(runStateSchema), "select weft.run_states($1::uuid[]) as answer", [runIds]);
}

/** Runs close with `NOTIFY weft_run_closed, '<run id>'` (sql/functions/closing-runs.sql). */
export const RUN_CLOSED_CHANNEL = "weft_run_closed";

export async function listenForClosedRuns(connection: pg.ClientBase): Promise<void> {
  await connection.query(`LISTEN ${RUN_CLOSED_CHANNEL}`).catch((error: unknown) => {
    throw mapDatabaseError(error);
  });
}
