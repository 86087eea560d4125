// A worker's Prometheus metrics (docs/metrics.md), in a registry of its own: counters and
// histograms the steps record as they run, and gauges read from the database at each scrape.
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export type TaskOutcome = "completed" | "failed" | "nondeterminism";
export type AttemptOutcome = "completed" | "failed";
/** How a workflow task closed its run (a terminate or a timeout closes it from outside). */
export type ClosedAs = "completed" | "failed" | "continued_as_new";

/** What the gauges read at a scrape (weft.worker_gauges). */
export interface WorkerGauges {
  /** Jobs due and unlocked, by kind: what waits for a worker of this task queue. */
  readonly readyJobs: { readonly workflowTask: number; readonly activity: number };
  /** The namespace's runs not yet closed, all task queues. */
  readonly openRuns: number;
}

export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly tasks: Counter<"workflow_type" | "outcome">;
  private readonly taskSeconds: Histogram<"workflow_type">;
  private readonly attempts: Counter<"activity_type" | "outcome">;
  private readonly attemptSeconds: Histogram<"activity_type">;
  private readonly lateness: Histogram;
  private readonly closed: Counter<"workflow_type" | "status">;
  private readonly started: Counter<"workflow_type">;

  constructor(namespace: string, taskQueue: string, readGauges: () => Promise<WorkerGauges>) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ namespace, task_queue: taskQueue });
    this.tasks = new Counter({
      name: "weft_workflow_tasks_total",
      help: "Workflow tasks run, by workflow type and outcome (nondeterminism apart from other failures)",
      labelNames: ["workflow_type", "outcome"],
      registers,
    });
    this.taskSeconds = new Histogram({
      name: "weft_workflow_task_duration_seconds",
      help: "Time to replay a workflow task and append its commands",
      labelNames: ["workflow_type"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.attempts = new Counter({
      name: "weft_activity_attempts_total",
      help: "Activity attempts run, by activity type and outcome",
      labelNames: ["activity_type", "outcome"],
      registers,
    });
    this.attemptSeconds = new Histogram({
      name: "weft_activity_attempt_duration_seconds",
      help: "Time an activity attempt's function ran",
      labelNames: ["activity_type"],
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers,
    });
    this.lateness = new Histogram({
      name: "weft_timer_lateness_seconds",
      help: "How long after its due time a workflow timer fired",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.started = new Counter({
      name: "weft_workflows_started_total",
      help: "Runs whose first workflow task this worker ran, by workflow type (however they were started)",
      labelNames: ["workflow_type"],
      registers,
    });
    this.closed = new Counter({
      name: "weft_workflows_closed_total",
      help: "Runs this worker's workflow tasks closed, by workflow type and how (a failed run may be retried)",
      labelNames: ["workflow_type", "status"],
      registers,
    });
    // One read per scrape serves both gauges: the first gauge collected reads, the second reuses it.
    let reading: Promise<WorkerGauges> | undefined;
    const read = () => (reading ??= readGauges().finally(() => setImmediate(() => (reading = undefined))));
    new Gauge({
      name: "weft_ready_jobs",
      help: "Jobs due and not locked for this task queue, by kind",
      labelNames: ["kind"],
      registers,
      async collect() {
        const { readyJobs } = await read();
        this.set({ kind: "workflow_task" }, readyJobs.workflowTask);
        this.set({ kind: "activity" }, readyJobs.activity);
      },
    });
    new Gauge({
      name: "weft_open_runs",
      help: "The namespace's runs not yet closed, in every task queue",
      registers,
      async collect() {
        this.set((await read()).openRuns);
      },
    });
  }

  workflowStarted(workflowType: string): void {
    this.started.inc({ workflow_type: workflowType });
  }

  workflowClosed(workflowType: string, status: ClosedAs): void {
    this.closed.inc({ workflow_type: workflowType, status });
  }

  workflowTask(workflowType: string, outcome: TaskOutcome, seconds: number): void {
    this.tasks.inc({ workflow_type: workflowType, outcome });
    if (outcome === "completed") this.taskSeconds.observe({ workflow_type: workflowType }, seconds);
  }

  activityAttempt(activityType: string, outcome: AttemptOutcome, seconds: number): void {
    this.attempts.inc({ activity_type: activityType, outcome });
    this.attemptSeconds.observe({ activity_type: activityType }, seconds);
  }

  timerFired(latenessSeconds: number): void {
    this.lateness.observe(Math.max(0, latenessSeconds));
  }
}
