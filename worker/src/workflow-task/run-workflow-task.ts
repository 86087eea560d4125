import { mapDatabaseError, UndecodableEventError } from "@weft/sdk";
import { isInfrastructureError, serializeFailure } from "@weft/sdk/internal";
import type { WorkerDeps } from "../deps.js";
import { claimWorkflowTask, failWorkflowTask, inTransaction } from "../sql-api.js";
import { replayAndComplete, type CommittedTask } from "./replay-and-complete.js";

/**
 * One workflow task in its own transaction: lock the run and move its inbox into history
 * (weft.claim_workflow_task), replay, complete. A failure of the workflow's code rolls everything
 * back (history untouched) and is recorded on the run, and the task is retried with backoff; a
 * database failure is rethrown so graphile-worker retries the job. Null when no task committed.
 * A task that fails on an event it cannot decode is poison: no deploy makes it pass, so the
 * run fails after a few such tasks (weft.fail_workflow_task).
 */
export async function runWorkflowTask(deps: WorkerDeps, runId: string, mayClaim: boolean): Promise<CommittedTask | null> {
  try {
    return await inTransaction(deps.pool, async (tx) => {
      const cached = deps.cache.take(runId);
      const claimed = await claimWorkflowTask(tx, runId, cached?.lastEventId ?? 0);
      return replayAndComplete(tx, deps, runId, claimed, cached, mayClaim);
    });
  } catch (error) {
    await recordTaskFailure(deps, runId, error);
    return null;
  }
}

async function recordTaskFailure(deps: WorkerDeps, runId: string, error: unknown): Promise<void> {
  if (isInfrastructureError(error)) throw error;
  const failure = mapDatabaseError(error) as Error;
  const poison = failure instanceof UndecodableEventError && !failure.unknownType;
  deps.logger.error(`workflow task failed; it will be retried${poison ? " a few times" : ""}: ${failure.message}`, { runId });
  await failWorkflowTask(deps.pool, runId, serializeFailure(failure), poison);
}
