import { runActivity } from "./activity/run-activity.js";
import type { WorkerDeps } from "./deps.js";
import type { ActivityJob } from "./jobs.js";
import { deliverAndRunTask, type DeliverAnswer } from "./workflow-task/deliver.js";
import { runWorkflowTask } from "./workflow-task/run-workflow-task.js";

/**
 * Runs a job and then the steps it hands on: an activity its workflow task claimed (eager
 * dispatch), whose completion runs the next workflow task inline, and so on. Every step is
 * committed before the next starts, so a crash mid-chain loses nothing: claimed activities of a
 * dead worker are enqueued as jobs (weft.heartbeat_worker).
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

  /** A timer came due: fire it, and run the workflow task in the same transaction if possible. */
  async startWithTimer(runId: string, timerId: string): Promise<void> {
    const next = await deliverAndRunTask(this.deps, runId, this.mayClaim(1), async (db, inline) => {
      const { rows } = await db.query<{ answer: DeliverAnswer }>("select weft.fire_timer($1, $2, $3, $4) as answer", [
        runId,
        timerId,
        inline?.queue ?? null,
        inline?.afterEventId ?? 0,
      ]);
      return rows[0]!.answer;
    });
    await this.follow(next);
  }

  private async follow(next: ActivityJob | null): Promise<void> {
    for (let step = 2; next; step++) next = await runActivity(next, this.deps, this.mayClaim(step));
  }

  private mayClaim(step: number): boolean {
    return step < this.maxSteps && !this.stopping();
  }
}
