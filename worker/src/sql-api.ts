// weft's SQL API as the worker calls it: the only SQL in worker/src, every answer the worker
// reads parsed with zod, and the wire commands it sends too (sdk/src/wire.ts). The functions
// live in sql/functions/, grouped by concern; a change of a signature or an answer there
// changes here too.
import type { SerializedFailure } from "@weft/sdk";
import { parseHistory, wireCommandSchema, type WireCommand } from "@weft/sdk/internal";
import type pg from "pg";
import { z } from "zod";
import { activityJob, type ActivityJob, type TimeoutJob } from "./jobs.js";

/** The pool, or the one connection of a transaction (inTransaction). */
export type Db = pg.Pool | pg.ClientBase;

/** Runs `body` in a transaction on one connection; rolls back and rethrows on error. */
export async function inTransaction<T>(pool: pg.Pool, body: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const tx = await pool.connect();
  let broken = false;
  try {
    // weft's SQL relies on READ COMMITTED (each statement sees what its locks waited for),
    // whatever default_transaction_isolation the database has.
    await tx.query("begin isolation level read committed");
    const result = await body(tx);
    await tx.query("commit");
    return result;
  } catch (error) {
    await tx.query("rollback").catch(() => (broken = true));
    throw error;
  } finally {
    tx.release(broken);
  }
}

/** Calls `sql` (one `select`), returns its one row's `answer` column parsed by `schema`. */
async function answer<S extends z.ZodType>(db: Db, schema: S, sql: string, params: unknown[]): Promise<z.output<S>> {
  const { rows } = await db.query<{ answer: unknown }>(sql, params);
  return schema.parse(rows[0]?.answer);
}

// Workflow tasks

const claimedTask = z.object({
  workflowType: z.string(),
  workflowId: z.string(),
  task: z.number().int(),
  /** Only those after the event id the caller asked from; one that does not decode throws UndecodableEventError. */
  events: z.array(z.unknown()).transform(parseHistory),
});
/** A workflow task claimed under the run's lock, its inbox moved into history. */
export type ClaimedTask = z.infer<typeof claimedTask>;

/** Null: the run is closed or nothing arrived, so there is nothing to decide. */
export function claimWorkflowTask(tx: pg.ClientBase, runId: string, afterEventId: number): Promise<ClaimedTask | null> {
  return answer(tx, claimedTask.nullable(), "select weft.claim_workflow_task($1, $2) as answer", [runId, afterEventId]);
}

const completedTask = z.object({
  /** An activity claimed for this worker instead of enqueued (eager). */
  eager: activityJob.nullable(),
  /** Timers the task started: [timer id, due epoch ms]. */
  timers: z.array(z.tuple([z.string(), z.number()])),
});
type CompletedTask = z.infer<typeof completedTask>;

const wireCommands = z.array(wireCommandSchema);

export interface TaskDecision {
  readonly runId: string;
  readonly task: number;
  /** Parsed with the wire schema before they are sent: a malformed one never reaches the SQL. */
  readonly commands: readonly WireCommand[];
  readonly unhandledSignalsJson: string;
  /** Claim one new activity for this worker when it runs on `queue` and its type is among `activityTypes`. */
  readonly eager: { readonly workerId: string; readonly queue: string; readonly activityTypes: readonly string[] } | null;
}

export async function completeWorkflowTask(tx: pg.ClientBase, decision: TaskDecision): Promise<CompletedTask> {
  const { runId, task, commands, unhandledSignalsJson, eager } = decision;
  return answer(tx, completedTask, "select weft.complete_workflow_task($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7) as answer", [
    runId,
    task,
    JSON.stringify(wireCommands.parse(commands)),
    unhandledSignalsJson,
    eager?.workerId ?? null,
    eager?.queue ?? null,
    eager?.activityTypes ?? [],
  ]);
}

/** `poison`: the task failed on history it cannot decode; after poison_task_attempts() (SQL) such tasks in a row, the run fails. */
export async function failWorkflowTask(db: Db, runId: string, failure: SerializedFailure, poison: boolean): Promise<void> {
  await db.query("select weft.fail_workflow_task($1, $2::jsonb, $3)", [runId, JSON.stringify(failure), poison]);
}

// Events delivered to a run (weft.deliver and the functions built on it)

/** Where a delivered event may go straight into a workflow task this worker runs (inline). */
export interface Inline {
  /** The worker's namespace and task queue: only runs on them are taken inline. */
  readonly namespace: string;
  readonly queue: string;
  /** The last event of this worker's cached copy of the run (0: none). */
  readonly afterEventId: number;
}

const delivered = z.union([
  /** The run's lock was free: the event is in a workflow task claimed in this transaction. */
  z.object({ claim: claimedTask.nullable() }),
  /** The event waits in the run's inbox for a workflow task job. */
  z.object({ queued: z.literal(true) }),
  /** complete_activity: the attempt is no longer current; its result was dropped. */
  z.object({ stale: z.literal(true) }),
  /** fire_timer: the timer was fired, is being fired, or was dropped. */
  z.object({ gone: z.literal(true) }),
  /** fire_timer: the timer is not due for this long yet (never fired early). */
  z.object({ dueInMs: z.number() }),
]);
export type Delivered = z.infer<typeof delivered>;

export interface AttemptIds {
  readonly runId: string;
  readonly activityId: number;
  readonly attempt: number;
}

export function completeActivity(db: Db, ids: AttemptIds, resultJson: string, inline: Inline | null): Promise<Delivered> {
  const namespace = inline?.namespace ?? "default";
  return answer(db, delivered, `select weft.complete_activity($1, $2, $3, $4::jsonb, $5, $6${namespaceArgument(namespace, 7)}) as answer`, [
    ids.runId,
    ids.activityId,
    ids.attempt,
    resultJson,
    inline?.queue ?? null,
    inline?.afterEventId ?? 0,
    ...namespaceParam(namespace),
  ]);
}

export function fireTimer(db: Db, runId: string, timerId: string, inline: Inline | null): Promise<Delivered> {
  const namespace = inline?.namespace ?? "default";
  return answer(db, delivered, `select weft.fire_timer($1, $2, $3, $4${namespaceArgument(namespace, 5)}) as answer`, [
    runId,
    timerId,
    inline?.queue ?? null,
    inline?.afterEventId ?? 0,
    ...namespaceParam(namespace),
  ]);
}

// Activities

/** False: the attempt is stale (completed, timed out or superseded meanwhile). */
export function startActivityAttempt(db: Db, ids: AttemptIds): Promise<boolean> {
  return answer(db, z.boolean(), "select weft.start_activity_attempt($1, $2, $3) as answer", [
    ids.runId,
    ids.activityId,
    ids.attempt,
  ]);
}

/** False: the attempt is no longer current. */
export function heartbeatActivity(db: Db, ids: AttemptIds, detailsJson: string): Promise<boolean> {
  return answer(db, z.boolean(), "select weft.heartbeat_activity($1, $2, $3, $4::jsonb) as answer", [
    ids.runId,
    ids.activityId,
    ids.attempt,
    detailsJson,
  ]);
}

/** Retries per the policy on the activity row, or fails the activity; a stale attempt is ignored. */
export async function failActivity(db: Db, ids: AttemptIds, failure: SerializedFailure): Promise<void> {
  await db.query("select weft.fail_activity($1, $2, $3, $4::jsonb)", [
    ids.runId,
    ids.activityId,
    ids.attempt,
    JSON.stringify(failure),
  ]);
}

export async function timeoutActivity(db: Db, job: TimeoutJob): Promise<void> {
  await db.query("select weft.timeout_activity($1, $2, $3, $4)", [job.r, job.a, job.n, job.k]);
}

/** Hands an attempt this worker claimed (eager) to the job queue. */
export async function releaseClaim(db: Db, workerId: string, job: ActivityJob): Promise<void> {
  await db.query("select weft.release_claims($1, $2, $3)", [workerId, job.r, job.a]);
}

// Timers

const dueTimer = z.object({ run_id: z.string(), timer_id: z.string(), due_ms: z.coerce.number() });

/** Timers of `taskQueue` due within `withinMs`, soonest first, at most `limit`. */
export async function dueTimers(
  db: Db,
  namespace: string,
  taskQueue: string,
  withinMs: number,
  limit: number,
): Promise<{ runId: string; timerId: string; dueMs: number }[]> {
  const { rows } = await db.query(`select run_id, timer_id, due_ms from weft.due_timers($1, $2, $3${namespaceArgument(namespace, 4)})`, [
    taskQueue,
    withinMs,
    limit,
    ...namespaceParam(namespace),
  ]);
  return rows.map((row) => {
    const { run_id, timer_id, due_ms } = dueTimer.parse(row);
    return { runId: run_id, timerId: timer_id, dueMs: due_ms };
  });
}

// Runs closed from outside a workflow task

export async function timeoutRun(db: Db, runId: string): Promise<void> {
  await db.query("select weft.timeout_run($1)", [runId]);
}

export async function applyParentClosePolicy(db: Db, runId: string): Promise<void> {
  await db.query("select weft.apply_parent_close_policy($1)", [runId]);
}

// Workers

export async function registerWorkflowTypes(db: Db, namespace: string, taskQueue: string, workflowTypes: readonly string[]): Promise<void> {
  await db.query(`select weft.register_workflow_types($1, $2${namespaceArgument(namespace, 3)})`, [taskQueue, workflowTypes, ...namespaceParam(namespace)]);
}

/**
 * The trailing namespace argument of a call, left out for namespace default: a worker of
 * default then also runs against functions from before namespaces, as during a deploy that
 * migrates after starting workers (worker/test/upgrade-from-0.1.test.ts does).
 */
function namespaceArgument(namespace: string, position: number): string {
  return namespace === "default" ? "" : `, $${position}`;
}

function namespaceParam(namespace: string): string[] {
  return namespace === "default" ? [] : [namespace];
}

export interface Heartbeat {
  readonly workerId: string;
  readonly taskQueue: string;
  /** graphile-worker ids whose job locks are this worker's. */
  readonly lockIds: readonly string[];
  readonly hostname: string;
  readonly pid: number;
  readonly staleWorkerMs: number;
}

/** Returns the ids of the workers found stale, whose jobs and claims it released. */
export function heartbeatWorker(db: Db, beat: Heartbeat): Promise<string[]> {
  return answer(db, z.array(z.string()), "select weft.heartbeat_worker($1, $2, $3, $4, $5, $6) as answer", [
    beat.workerId,
    beat.taskQueue,
    beat.lockIds,
    beat.hostname,
    beat.pid,
    beat.staleWorkerMs,
  ]);
}

/** Frees the jobs graphile-worker ids hold (a job queue of this worker that gave up: job-queue.ts). */
export async function forceUnlockWorkers(db: Db, lockIds: readonly string[]): Promise<void> {
  await db.query("select graphile_worker.force_unlock_workers($1::text[])", [lockIds]);
}

/** Also hands the attempts it still claims to the job queue, and frees its replaced job queues' jobs. */
export async function deregisterWorker(db: Db, workerId: string): Promise<void> {
  await db.query("select weft.deregister_worker($1)", [workerId]);
}

/** weft's SQL sends `NOTIFY weft_wake` (payload: due epoch ms) when it enqueues a delayed job. */
export async function listenForWakeUps(client: pg.ClientBase): Promise<void> {
  await client.query("LISTEN weft_wake");
}

// Metrics

const workerGauges = z.object({
  readyJobs: z.object({ workflowTask: z.number().int(), activity: z.number().int() }),
  openRuns: z.number().int(),
});

/** What the metrics gauges show at a scrape (worker/src/metrics.ts). */
export function readWorkerGauges(pool: pg.Pool, namespace: string, taskQueue: string): Promise<z.infer<typeof workerGauges>> {
  return answer(pool, workerGauges, `select weft.worker_gauges($1${namespaceArgument(namespace, 2)}) as answer`, [taskQueue, ...namespaceParam(namespace)]);
}

// Retention

/** Deletes up to `limit` closed runs whose namespace's retention has expired; how many it deleted. */
export function deleteExpiredRuns(pool: pg.Pool, limit: number): Promise<number> {
  return answer(pool, z.number().int(), "select weft.delete_expired_runs($1) as answer", [limit]);
}
