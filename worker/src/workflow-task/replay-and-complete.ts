import { NonDeterminismError, type Logger } from "@weft/sdk";
import { continueReplay, isInfrastructureError, WorkflowMachine, type WireCommand, type WorkflowDefinition } from "@weft/sdk/internal";
import type pg from "pg";
import type { WorkerDeps } from "../deps.js";
import { faultPoint } from "../fault-points.js";
import type { ActivityJob } from "../jobs.js";
import { scoped } from "../logger.js";
import type { ClosedAs } from "../metrics.js";
import { completeWorkflowTask, type ClaimedTask } from "../sql-api.js";
import type { CachedWorkflow } from "./workflow-cache.js";

class UnknownWorkflowInWorkerError extends Error {
  override readonly name = "UnknownWorkflowInWorkerError";
}

/** A workflow task done inside a transaction, and what it hands on once that commits (step-loop.ts). */
export interface CommittedTask {
  readonly runId: string;
  /** An activity this worker claimed and should run next. */
  readonly eager: ActivityJob | null;
  /** Timers the task started: [timer id, due epoch ms]. */
  readonly timers: readonly (readonly [string, number])[];
  /** Put back into the cache once the transaction has committed. */
  readonly cached: CachedWorkflow | null;
  /** For the metrics, recorded once the transaction has committed (step-loop.ts). */
  readonly workflowType: string;
  readonly taskSeconds: number;
  /** How the task closed the run, if it did. */
  readonly closedAs: ClosedAs | null;
  /** Whether this was the run's first task (task number 1). */
  readonly firstTask: boolean;
}

const CLOSING_COMMANDS = { CompleteWorkflow: "completed", FailWorkflow: "failed", ContinueAsNew: "continued_as_new" } as const;

/**
 * Replays a claimed task and appends its new commands (weft.complete_workflow_task), inside the
 * caller's transaction. A cached workflow only needs the events after those it has seen
 * (`claimed` holds just those); otherwise the whole history is replayed. With `mayClaim`, one new
 * activity this worker can run is claimed instead of enqueued. Null when nothing was claimed.
 */
export async function replayAndComplete(
  tx: pg.ClientBase,
  deps: WorkerDeps,
  runId: string,
  claimed: ClaimedTask | null,
  cached: CachedWorkflow | undefined,
  mayClaim: boolean,
): Promise<CommittedTask | null> {
  if (!claimed) {
    if (cached) deps.cache.put(runId, cached); // nothing happened to the run
    return null;
  }
  const logger = scoped(deps.logger, { workflowId: claimed.workflowId, runId });
  const definition = deps.workflows.get(claimed.workflowType);
  if (!definition) {
    throw new UnknownWorkflowInWorkerError(
      `workflow type "${claimed.workflowType}" is not registered in this worker (task queue "${deps.taskQueue}"); ` +
        `add its class to Worker.create({ workflows }) and restart`,
    );
  }
  try {
    return await replayAndAppend(tx, deps, runId, claimed, cached, mayClaim, definition, logger);
  } catch (error) {
    if (!isInfrastructureError(error)) {
      deps.metrics.workflowTask(definition.name, error instanceof NonDeterminismError ? "nondeterminism" : "failed", 0);
    }
    throw error;
  }
}

async function replayAndAppend(
  tx: pg.ClientBase,
  deps: WorkerDeps,
  runId: string,
  claimed: ClaimedTask,
  cached: CachedWorkflow | undefined,
  mayClaim: boolean,
  definition: WorkflowDefinition,
  logger: Logger,
): Promise<CommittedTask> {
  const started = performance.now();
  const machine = cached?.machine ?? new WorkflowMachine(definition, runId, logger);
  const result = continueReplay(machine, claimed.events, true);
  if (result.unhandledSignals.length > 0) {
    logger.warn(`signals with no handler in ${definition.name}: ${result.unhandledSignals.map((s) => s.signalName).join(", ")}`);
  }
  const { eager, timers } = await completeWorkflowTask(tx, {
    runId,
    task: claimed.task,
    commands: result.commands,
    unhandledSignalsJson: JSON.stringify(result.unhandledSignals),
    eager: mayClaim ? { workerId: deps.workerId, queue: deps.taskQueue, activityTypes: deps.activityTypes } : null,
  });
  faultPoint("workflow-task:before-commit");
  if (result.finished) faultPoint("run-close:before-commit");
  return {
    runId,
    eager,
    timers,
    // complete_workflow_task appends one event per command
    cached: result.finished ? null : { machine, lastEventId: claimed.events.at(-1)!.eventId + result.commands.length },
    workflowType: definition.name,
    taskSeconds: (performance.now() - started) / 1000,
    closedAs: closedAs(result.commands),
    firstTask: claimed.task === 1,
  };
}

function closedAs(commands: readonly WireCommand[]): ClosedAs | null {
  const last = commands.at(-1);
  return last && last.kind in CLOSING_COMMANDS ? CLOSING_COMMANDS[last.kind as keyof typeof CLOSING_COMMANDS] : null;
}
