import { runActivity } from "./activity/run-activity.js";
import type { WorkerDeps } from "./deps.js";
import type { ActivityJob } from "./jobs.js";
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

  private async follow(next: ActivityJob | null): Promise<void> {
    for (let step = 2; next; step++) next = await runActivity(next, this.deps, this.mayClaim(step));
  }

  private mayClaim(step: number): boolean {
    return step < this.maxSteps && !this.stopping();
  }
}
