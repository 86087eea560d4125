import type pg from "pg";
import { inTransaction } from "../db.js";
import type { WorkerDeps } from "../deps.js";
import { isInfrastructureError } from "../errors.js";
import type { ActivityJob } from "../jobs.js";
import { afterCommit, executeWorkflowTask } from "./execute-workflow-task.js";

/**
 * Calls a weft function that delivers an event to a run (it answers as weft.deliver does,
 * given the inline queue) and, when it answers 'inline', runs the run's workflow task in the
 * same transaction: one commit instead of a commit plus a workflow task job.
 */
export async function deliverAndRunTask(
  deps: WorkerDeps,
  runId: string,
  eager: boolean,
  deliver: (db: pg.ClientBase | pg.Pool, inlineQueue: string | null) => Promise<string>,
): Promise<ActivityJob | null> {
  try {
    const outcome = await inTransaction(deps.pool, async (client) => {
      const answer = await deliver(client, deps.eagerDispatch ? deps.taskQueue : null);
      return answer === "inline" ? executeWorkflowTask(client, runId, deps, eager) : null;
    });
    return outcome && afterCommit(deps, runId, outcome);
  } catch (error) {
    if (isInfrastructureError(error)) throw error;
    // The workflow task failed (its code, not the database): deliver alone; the queued task
    // meets the same error and records it on the run.
    await deliver(deps.pool, null);
    return null;
  }
}
