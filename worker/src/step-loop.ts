import { runActivity } from "./activity/run-activity.js";
import type { WorkerDeps } from "./deps.js";
import type { ActivityJob } from "./jobs.js";
import { releaseClaim } from "./sql-api.js";
import type { Timers, TimerSteps } from "./timers.js";
import type { CommittedTask } from "./workflow-task/replay-and-complete.js";
import { runWorkflowTask } from "./workflow-task/run-workflow-task.js";
import { untilTheDatabaseAnswers } from "./until-the-database-answers.js";

/**
 * The step loop: a job (or a timer) runs its step, and each commit hands on the next step to
 * this worker instead of to a job. A workflow task claims a new activity for this worker (eager
 * activity), which runs right after the commit; its result runs the run's next workflow task in
 * the same transaction when the lock is free (inline workflow task, workflow-task/inline-task.ts);
 * that task may claim the next activity, and so on, up to `maxSteps` steps per job. Every step
 * is committed before the next starts, so a crash mid-loop loses nothing: the claimed
 * activities of a dead worker are enqueued as jobs (weft.heartbeat_worker), and so is one that
 * fails here.
 */
export class StepLoop implements TimerSteps {
  constructor(
    private readonly deps: WorkerDeps,
    private readonly timers: Timers,
    private readonly maxSteps: number,
    private readonly stopping: () => boolean,
  ) {}

  async workflowTaskJob(runId: string): Promise<void> {
    await this.handOn(await runWorkflowTask(this.deps, runId, this.mayClaimFirst()));
  }

  async activityJob(job: ActivityJob): Promise<void> {
    await this.handOn(await runActivity(this.deps, job, this.mayClaimFirst()));
  }

  /** Whether a job's (or a timer's) workflow task may claim an activity for this worker. */
  mayClaimFirst(): boolean {
    return this.mayClaim(1);
  }

  /** Carries on from a committed workflow task: the activity it claimed, and each step after. */
  async handOn(task: CommittedTask | null): Promise<void> {
    let next = this.afterCommit(task);
    for (let step = 2; next; step++) {
      const claimed: ActivityJob = next;
      try {
        next = this.afterCommit(await runActivity(this.deps, claimed, this.mayClaim(step)));
      } catch (error) {
        await this.release(claimed, error);
        return;
      }
    }
  }

  /** Keeps the live workflow, schedules the timers it started; returns the activity it claimed. */
  private afterCommit(task: CommittedTask | null): ActivityJob | null {
    if (!task) return null;
    if (task.firstTask) this.deps.metrics.workflowStarted(task.workflowType);
    this.deps.metrics.workflowTask(task.workflowType, "completed", task.taskSeconds);
    if (task.closedAs) this.deps.metrics.workflowClosed(task.workflowType, task.closedAs);
    if (task.cached) this.deps.cache.put(task.runId, task.cached);
    for (const [timerId, dueMs] of task.timers) this.timers.schedule(task.runId, timerId, dueMs);
    return task.eager;
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
    await untilTheDatabaseAnswers(() => releaseClaim(this.deps.pool, this.deps.workerId, job), this.stopping);
  }

  private mayClaim(step: number): boolean {
    return step < this.maxSteps && !this.stopping();
  }
}
