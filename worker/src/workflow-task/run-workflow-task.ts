import {
  mapDatabaseError,
  parseHistory,
  replay,
  serializeFailure,
  type Logger,
  type WorkflowDefinition,
} from "@weft/sdk";
import type pg from "pg";
import { isInfrastructureError } from "../errors.js";
import { faultPoint } from "../fault-points.js";
import { scoped } from "../logger.js";

interface Claimed {
  workflowType: string;
  workflowId: string;
  task: number;
  events: unknown[];
}

export interface WorkflowTaskDeps {
  pool: pg.Pool;
  workflows: ReadonlyMap<string, WorkflowDefinition>;
  taskQueue: string;
  logger: Logger;
}

/**
 * One workflow task in one transaction: lock the run and move its inbox into history
 * (weft.claim_workflow_task), replay, append the new commands (weft.complete_workflow_task).
 * A failure of the code rolls everything back and is recorded on the run; the task is retried.
 */
export async function runWorkflowTask(runId: string, deps: WorkflowTaskDeps): Promise<void> {
  const client = await deps.pool.connect();
  let released = false;
  try {
    await client.query("begin");
    const { rows } = await client.query<{ t: Claimed | null }>("select weft.claim_workflow_task($1, 0) as t", [runId]);
    const claimed = rows[0]!.t;
    if (!claimed) {
      await client.query("commit");
      return;
    }
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
    await client.query("select weft.complete_workflow_task($1, $2, $3::jsonb, $4::jsonb)", [
      runId,
      claimed.task,
      JSON.stringify(result.commands),
      JSON.stringify(result.unhandledSignals),
    ]);
    faultPoint("workflow-task:before-commit");
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {
      client.release(true);
      released = true;
    });
    if (isInfrastructureError(error)) throw error; // graphile-worker retries the job
    const failure = mapDatabaseError(error);
    deps.logger.error(`workflow task failed; it will be retried: ${(failure as Error).message}`, { runId });
    await deps.pool.query("select weft.fail_workflow_task($1, $2::jsonb)", [
      runId,
      JSON.stringify(serializeFailure(failure)),
    ]);
  } finally {
    if (!released) client.release();
  }
}

export class UnknownWorkflowInWorkerError extends Error {
  override readonly name = "UnknownWorkflowInWorkerError";
}
