import { isInfrastructureError } from "@weft/sdk/internal";
import type pg from "pg";
import { inTransaction } from "../db.js";
import type { WorkerDeps } from "../deps.js";
import type { ActivityJob } from "../jobs.js";
import { afterCommit, runClaimedTask, type Claimed, type WorkflowTaskOutcome } from "./execute-workflow-task.js";

/** weft.deliver's answer (and that of the functions built on it). */
export type DeliverAnswer = { claim?: Claimed | null };

/** Where the delivered event may go straight into a workflow task this worker runs. */
export interface Inline {
  /** The worker's task queue: only runs on it are taken inline. */
  readonly queue: string;
  /** The last event of this worker's cached copy of the run (0: none). */
  readonly afterEventId: number;
}

type Deliver = (db: pg.ClientBase | pg.Pool, inline: Inline | null) => Promise<DeliverAnswer>;

/**
 * Calls a weft function that delivers an event to a run and answers as weft.deliver does.
 * When the run's lock was free, that answer is the claimed workflow task, which is replayed
 * and completed in the same transaction: one commit instead of a commit plus a task job.
 */
export async function deliverAndRunTask(deps: WorkerDeps, runId: string, eager: boolean, deliver: Deliver): Promise<ActivityJob | null> {
  try {
    const outcome = await inTransaction(deps.pool, (client) => deliverInTransaction(client, deps, runId, eager, deliver));
    return outcome && afterCommit(deps, runId, outcome);
  } catch (error) {
    if (isInfrastructureError(error)) throw error;
    // The workflow task failed (its code, not the database): deliver alone; the queued task
    // meets the same error and records it on the run.
    await deliver(deps.pool, null);
    return null;
  }
}

/** The body of deliverAndRunTask, in the caller's transaction; null when not run inline. */
export async function deliverInTransaction(
  client: pg.PoolClient,
  deps: WorkerDeps,
  runId: string,
  eager: boolean,
  deliver: Deliver,
): Promise<WorkflowTaskOutcome | null> {
  const cached = deps.cache.take(runId);
  const inline = deps.eagerDispatch ? { queue: deps.taskQueue, afterEventId: cached?.lastEventId ?? 0 } : null;
  const answer = await deliver(client, inline);
  if (answer.claim === undefined) {
    if (cached) deps.cache.put(runId, cached);
    return null;
  }
  return runClaimedTask(client, runId, deps, eager, answer.claim, cached);
}
