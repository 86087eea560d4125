import { mapDatabaseError } from "@weft/sdk";
import { isInfrastructureError, serializeFailure } from "@weft/sdk/internal";
import type { ActivityJob } from "../jobs.js";
import { inTransaction } from "../db.js";
import type { WorkerDeps } from "../deps.js";
import { afterCommit, executeWorkflowTask } from "./execute-workflow-task.js";

/**
 * One workflow task in its own transaction. A failure of the workflow's code rolls everything
 * back (history untouched) and is recorded on the run, and the task is retried with backoff;
 * a database failure is rethrown so graphile-worker retries the job.
 */
export async function runWorkflowTask(runId: string, deps: WorkerDeps, eager: boolean): Promise<ActivityJob | null> {
  try {
    const outcome = await inTransaction(deps.pool, (client) => executeWorkflowTask(client, runId, deps, eager));
    return afterCommit(deps, runId, outcome);
  } catch (error) {
    await recordTaskFailure(deps, runId, error);
    return null;
  }
}

async function recordTaskFailure(deps: WorkerDeps, runId: string, error: unknown): Promise<void> {
  if (isInfrastructureError(error)) throw error;
  const failure = mapDatabaseError(error) as Error;
  deps.logger.error(`workflow task failed; it will be retried: ${failure.message}`, { runId });
  await deps.pool.query("select weft.fail_workflow_task($1, $2::jsonb)", [runId, JSON.stringify(serializeFailure(failure))]);
}
