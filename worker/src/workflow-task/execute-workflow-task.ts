import { parseHistory, replay } from "@weft/sdk";
import type pg from "pg";
import type { WorkerDeps } from "../deps.js";
import { faultPoint } from "../fault-points.js";
import { activityJob, type ActivityJob } from "../jobs.js";
import { scoped } from "../logger.js";

interface Claimed {
  workflowType: string;
  workflowId: string;
  task: number;
  events: unknown[];
}

export class UnknownWorkflowInWorkerError extends Error {
  override readonly name = "UnknownWorkflowInWorkerError";
}

/**
 * The body of one workflow task, inside the caller's open transaction: lock the run and move
 * its inbox into history (weft.claim_workflow_task), replay, append the new commands
 * (weft.complete_workflow_task). With `eager`, one new activity this worker can run is claimed
 * instead of enqueued; its job is returned for the caller to run after commit.
 */
export async function executeWorkflowTask(
  client: pg.PoolClient,
  runId: string,
  deps: WorkerDeps,
  eager: boolean,
): Promise<ActivityJob | null> {
  const { rows } = await client.query<{ t: Claimed | null }>("select weft.claim_workflow_task($1, 0) as t", [runId]);
  const claimed = rows[0]!.t;
  if (!claimed) return null;
  const logger = scoped(deps.logger, { workflowId: claimed.workflowId, runId, task: claimed.task });
  const definition = deps.workflows.get(claimed.workflowType);
  if (!definition) {
    throw new UnknownWorkflowInWorkerError(
      `workflow type "${claimed.workflowType}" is not registered in this worker (task queue "${deps.taskQueue}"); ` +
        `add its class to Worker.create({ workflows }) and restart`,
    );
  }
  const result = replay(definition, parseHistory(claimed.events), { runId, logger, lastTaskIsNew: true });
  if (result.unhandledSignals.length > 0) {
    logger.warn(`signals with no handler in ${definition.name}: ${result.unhandledSignals.map((s) => s.signalName).join(", ")}`);
  }
  const completed = await client.query<{ eager: unknown }>(
    "select weft.complete_workflow_task($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7) as eager",
    [
      runId,
      claimed.task,
      JSON.stringify(result.commands),
      JSON.stringify(result.unhandledSignals),
      eager ? deps.workerId : null,
      deps.taskQueue,
      deps.activityTypes,
    ],
  );
  faultPoint("workflow-task:before-commit");
  const job = completed.rows[0]!.eager;
  return job === null ? null : activityJob.parse(job);
}
