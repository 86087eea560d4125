import { continueReplay, parseHistory, WorkflowMachine } from "@weft/sdk/internal";
import type pg from "pg";
import type { WorkerDeps } from "../deps.js";
import { faultPoint } from "../fault-points.js";
import { activityJob, type ActivityJob } from "../jobs.js";
import { scoped } from "../logger.js";
import type { CachedWorkflow } from "./workflow-cache.js";

/** weft.claim_workflow_task's answer. */
export interface Claimed {
  workflowType: string;
  workflowId: string;
  task: number;
  events: unknown[];
}

class UnknownWorkflowInWorkerError extends Error {
  override readonly name = "UnknownWorkflowInWorkerError";
}

export interface WorkflowTaskOutcome {
  /** An activity this worker claimed and should run next. */
  readonly eager: ActivityJob | null;
  /** Timers the task started: [timer id, due epoch ms]. */
  readonly timers: readonly (readonly [string, number])[];
  /** Put back into the cache once the transaction has committed. */
  readonly cached: CachedWorkflow | null;
}

const NOTHING_TO_DO: WorkflowTaskOutcome = { eager: null, timers: [], cached: null };

/**
 * The body of one workflow task, inside the caller's open transaction: lock the run and move
 * its inbox into history (weft.claim_workflow_task), then replay and complete it
 * (runClaimedTask).
 */
export async function executeWorkflowTask(
  client: pg.PoolClient,
  runId: string,
  deps: WorkerDeps,
  eager: boolean,
): Promise<WorkflowTaskOutcome> {
  const cached = deps.cache.take(runId);
  const { rows } = await client.query<{ t: Claimed | null }>("select weft.claim_workflow_task($1, $2) as t", [
    runId,
    cached?.lastEventId ?? 0,
  ]);
  return runClaimedTask(client, runId, deps, eager, rows[0]!.t, cached);
}

/**
 * Replays a claimed task and appends its new commands (weft.complete_workflow_task). A
 * cached workflow only needs the events after those it has seen (`claimed` holds just those);
 * otherwise the whole history is replayed. With `eager`, one new activity this worker can run
 * is claimed instead of enqueued and returned for the caller to run after commit.
 */
export async function runClaimedTask(
  client: pg.PoolClient,
  runId: string,
  deps: WorkerDeps,
  eager: boolean,
  claimed: Claimed | null,
  cached: CachedWorkflow | undefined,
): Promise<WorkflowTaskOutcome> {
  if (!claimed) {
    if (cached) deps.cache.put(runId, cached); // nothing happened to the run
    return NOTHING_TO_DO;
  }
  const logger = scoped(deps.logger, { workflowId: claimed.workflowId, runId });
  const definition = deps.workflows.get(claimed.workflowType);
  if (!definition) {
    throw new UnknownWorkflowInWorkerError(
      `workflow type "${claimed.workflowType}" is not registered in this worker (task queue "${deps.taskQueue}"); ` +
        `add its class to Worker.create({ workflows }) and restart`,
    );
  }
  const machine = cached?.machine ?? new WorkflowMachine(definition, runId, logger);
  const events = parseHistory(claimed.events);
  const result = continueReplay(machine, events, true);
  if (result.unhandledSignals.length > 0) {
    logger.warn(`signals with no handler in ${definition.name}: ${result.unhandledSignals.map((s) => s.signalName).join(", ")}`);
  }
  const completed = await client.query<{ c: { eager: unknown; timers: [string, number][] } }>(
    "select weft.complete_workflow_task($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7) as c",
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
  if (result.finished) faultPoint("run-close:before-commit");
  const { eager: job, timers } = completed.rows[0]!.c;
  return {
    eager: job === null ? null : activityJob.parse(job),
    timers,
    // complete_workflow_task appends one event per command
    cached: result.finished ? null : { machine, lastEventId: events.at(-1)!.eventId + result.commands.length },
  };
}

/**
 * After the task's transaction committed: keep the live workflow, schedule its new timers,
 * hand on the eager activity.
 */
export function afterCommit(deps: WorkerDeps, runId: string, outcome: WorkflowTaskOutcome): ActivityJob | null {
  if (outcome.cached) deps.cache.put(runId, outcome.cached);
  for (const [timerId, dueMs] of outcome.timers) deps.timers.schedule(runId, timerId, dueMs);
  return outcome.eager;
}
