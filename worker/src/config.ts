import { z } from "zod";

/** Worker settings with their defaults; parsed once, then frozen. */
// Strict: a misspelt or renamed option (maxEagerSteps) fails instead of silently taking the default.
export const workerConfigSchema = z.strictObject({
  databaseUrl: z.string().min(1),
  /** The namespace whose runs this worker serves: task queues and workflow types are a namespace's own. */
  namespace: z.string().min(1).default("default"),
  /** The task queue whose workflow tasks and activities this worker runs. */
  taskQueue: z.string().min(1).default("default"),
  /** Jobs (workflow tasks, activities, timers) run at once. */
  concurrency: z.number().int().positive().default(10),
  /** How often graphile-worker looks for jobs nobody announced (delayed jobs are announced). */
  pollIntervalMs: z.number().int().positive().default(1000),
  /** How often this worker proves it is alive. */
  heartbeatIntervalMs: z.number().int().positive().default(2000),
  /** A worker silent this long is presumed dead and its jobs are released to others. */
  staleWorkerMs: z.number().int().positive().default(10_000),
  /**
   * Steps one job (or timer) may run in this worker before it hands the next to a job: the step
   * loop (step-loop.ts). A workflow task claims an activity this worker runs instead of enqueueing
   * it, and that activity's result runs the next workflow task in the same transaction. 0 turns
   * the step loop off: every activity and every workflow task goes through a job of its own.
   */
  maxStepsPerJob: z.number().int().nonnegative().default(100),
  /**
   * Workflows kept live in memory after their task, so the next task applies only new events
   * instead of replaying the whole history. 0 replays every task from the start.
   */
  maxCachedWorkflows: z.number().int().nonnegative().default(1000),
  /**
   * Jobs fetched (and locked) per query, served to this worker's job slots from a local queue
   * (graphile-worker's localQueue). Fewer fetch transactions when many jobs wait; 0 fetches
   * one job per slot.
   */
  fetchBatchSize: z.number().int().nonnegative().default(0),
  /**
   * Completed jobs are deleted in batches gathered over this many ms (graphile-worker's
   * completeJobBatchDelay); 0 batches those of one turn of the event loop.
   */
  completeBatchDelayMs: z.number().int().nonnegative().default(0),
  /** How often this worker deletes closed runs past their namespace's retention (retentionDays). */
  retentionSweepIntervalMs: z.number().int().positive().default(60_000),
  /** Serve GET /metrics (Prometheus, docs/metrics.md) on this port; 0: any free one (see Worker.metricsUrl). Absent: no port. */
  metricsPort: z.number().int().min(0).max(65535).optional(),
  /** The address the metrics port listens on. */
  metricsHost: z.string().min(1).default("127.0.0.1"),
});

export type WorkerConfig = Readonly<z.infer<typeof workerConfigSchema>>;
export type WorkerConfigInput = z.input<typeof workerConfigSchema>;

export function parseWorkerConfig(input: WorkerConfigInput): WorkerConfig {
  return Object.freeze(workerConfigSchema.parse(input));
}
