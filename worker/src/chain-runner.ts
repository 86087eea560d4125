import { isInfrastructureError } from "@weft/sdk/internal";
import type pg from "pg";
import { runActivity } from "./activity/run-activity.js";
import type { WorkerDeps } from "./deps.js";
import type { ActivityJob } from "./jobs.js";
import { inTransaction } from "./db.js";
import { deliverAndRunTask, deliverInTransaction, type DeliverAnswer, type Inline } from "./workflow-task/deliver.js";
import { afterCommit, type WorkflowTaskOutcome } from "./workflow-task/execute-workflow-task.js";
import { runWorkflowTask } from "./workflow-task/run-workflow-task.js";

/**
 * Runs a job and then the steps it hands on: an activity its workflow task claimed (eager
 * dispatch), whose completion runs the next workflow task inline, and so on. Every step is
 * committed before the next starts, so a crash mid-chain loses nothing: claimed activities of a
 * dead worker are enqueued as jobs (weft.heartbeat_worker), and so is one that fails here.
 */
export class ChainRunner {
  constructor(
    private readonly deps: WorkerDeps,
    private readonly maxSteps: number,
    private readonly stopping: () => boolean,
  ) {}

  async startWithWorkflowTask(runId: string): Promise<void> {
    await this.follow(await runWorkflowTask(runId, this.deps, this.mayClaim(1)));
  }

  async startWithActivity(job: ActivityJob): Promise<void> {
    await this.follow(await runActivity(job, this.deps, this.mayClaim(1)));
  }

  /**
   * Timers came due at once: fire them, each with the workflow task it wakes, in one
   * transaction (one commit for the lot). If one task's code fails, or the batch deadlocks,
   * they are fired one by one, so that failure is recorded on its own run.
   */
  async startWithTimers(timers: readonly DueTimer[]): Promise<void> {
    if (timers.length > 1) {
      try {
        const outcomes = await inTransaction(this.deps.pool, async (client) => {
          const done: [string, WorkflowTaskOutcome | null][] = [];
          for (const { runId, timerId } of timers) {
            done.push([runId, await deliverInTransaction(client, this.deps, runId, this.mayClaim(1), fireTimer(runId, timerId))]);
          }
          return done;
        });
        for (const [runId, outcome] of outcomes) await this.follow(outcome && afterCommit(this.deps, runId, outcome));
        return;
      } catch (error) {
        // A deadlock with another batch (each holding one run's request lock the other
        // wants) is resolved by firing one by one: a single run's transaction cannot cycle.
        if (isInfrastructureError(error) && !isLockConflict(error)) throw error;
      }
    }
    for (const { runId, timerId } of timers) {
      await this.follow(await deliverAndRunTask(this.deps, runId, this.mayClaim(1), fireTimer(runId, timerId)));
    }
  }

  private async follow(next: ActivityJob | null): Promise<void> {
    for (let step = 2; next; step++) {
      const claimed: ActivityJob = next;
      try {
        next = await runActivity(claimed, this.deps, this.mayClaim(step));
      } catch (error) {
        await this.release(claimed, error);
        return;
      }
    }
  }

  /**
   * A claimed attempt that failed here for want of the database has no job to retry it and
   * belongs to a live worker, so no reaper frees it: hand it to the job queue, trying until the
   * database answers. A worker that stops meanwhile releases its claims when it deregisters,
   * or else when the others find it dead.
   */
  private async release(job: ActivityJob, error: unknown): Promise<void> {
    this.deps.logger.warn(`activity attempt could not finish here, queueing it: ${(error as Error).message}`, {
      runId: job.r,
      activityId: job.a,
    });
    for (let waitMs = 250; !this.stopping(); waitMs = Math.min(2 * waitMs, 5000)) {
      try {
        await this.deps.pool.query("select weft.release_claims($1, $2, $3)", [this.deps.workerId, job.r, job.a]);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  private mayClaim(step: number): boolean {
    return step < this.maxSteps && !this.stopping();
  }
}

export interface DueTimer {
  readonly runId: string;
  readonly timerId: string;
}

/** deadlock_detected or serialization_failure: the transaction lost a race, nothing is wrong. */
function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "40P01" || code === "40001";
}

function fireTimer(runId: string, timerId: string) {
  return async (db: pg.ClientBase | pg.Pool, inline: Inline | null): Promise<DeliverAnswer> => {
    const { rows } = await db.query<{ answer: DeliverAnswer }>("select weft.fire_timer($1, $2, $3, $4) as answer", [
      runId,
      timerId,
      inline?.queue ?? null,
      inline?.afterEventId ?? 0,
    ]);
    return rows[0]!.answer;
  };
}
