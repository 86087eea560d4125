import { randomUUID } from "node:crypto";
import type { TaskList } from "graphile-worker";
import pg from "pg";
import { mapDatabaseError, type Logger, type WorkflowClass } from "@weft/sdk";
import { handleConnectionErrors, workflowDefinition, type WorkflowDefinition } from "@weft/sdk/internal";
import type { Activities } from "./activity/context.js";
import { parseWorkerConfig, type WorkerConfig, type WorkerConfigInput } from "./config.js";
import type { WorkerDeps } from "./deps.js";
import { activityJob, runJob, taskIdentifiers, timeoutJob } from "./jobs.js";
import { JobQueue } from "./job-queue.js";
import { Liveness } from "./liveness.js";
import { RetentionSweeper } from "./retention.js";
import { MetricsServer } from "./metrics-server.js";
import { WorkerMetrics } from "./metrics.js";
import { consoleLogger } from "./logger.js";
import { applyParentClosePolicy, readWorkerGauges, timeoutActivity, timeoutRun } from "./sql-api.js";
import { StepLoop } from "./step-loop.js";
import { Timers } from "./timers.js";
import { WakeUps } from "./wake-ups.js";
import { WorkflowCache } from "./workflow-task/workflow-cache.js";

export interface WorkerOptions extends WorkerConfigInput {
  workflows?: readonly WorkflowClass[];
  activities?: Activities;
  logger?: Logger;
}

/**
 * Runs the workflow tasks and activities of one task queue, plus any due timer or timeout.
 * Start as many as you like against one database; they share the work.
 */
export class Worker {
  private constructor(
    readonly workerId: string,
    readonly config: WorkerConfig,
    private readonly pool: pg.Pool,
    private readonly jobs: JobQueue,
    private readonly liveness: Liveness,
    private readonly wakeUps: WakeUps,
    private readonly timers: Timers,
    private readonly stopStepLoop: () => void,
    private readonly workerMetrics: WorkerMetrics,
    private readonly retention: RetentionSweeper,
  ) {}

  private metricsServer: MetricsServer | null = null;

  /** Where GET /metrics answers, with `metricsPort` set; null without. */
  get metricsUrl(): string | null {
    return this.metricsServer?.url ?? null;
  }

  /** This worker's metrics in Prometheus' text format (docs/metrics.md), to serve from an app's own endpoint. */
  metrics(): Promise<string> {
    return this.workerMetrics.registry.metrics();
  }

  static async create(options: WorkerOptions): Promise<Worker> {
    const { workflows = [], activities = {}, logger = consoleLogger(), ...rest } = options;
    const config = parseWorkerConfig(rest);
    const definitions = new Map<string, WorkflowDefinition>();
    for (const cls of workflows) {
      const definition = workflowDefinition(cls);
      if (definitions.has(definition.name)) throw new TypeError(`two workflows are named "${definition.name}"`);
      definitions.set(definition.name, definition);
    }
    // Job slots and timer fires (up to `concurrency` each), plus liveness, wake-ups, the timer
    // poll and graphile-worker's listener.
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 * config.concurrency + 4 });
    handleConnectionErrors(pool, (error) => logger.warn(`idle database connection failed: ${error.message}`));

    const workerId = `weft-${randomUUID()}`;
    const deps: WorkerDeps = {
      pool,
      workerId,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      workflows: definitions,
      activities,
      activityTypes: Object.keys(activities),
      inlineTasks: config.maxStepsPerJob > 0,
      cache: new WorkflowCache(config.maxCachedWorkflows),
      logger,
      metrics: new WorkerMetrics(config.namespace, config.taskQueue, () => readWorkerGauges(pool, config.namespace, config.taskQueue)),
    };
    let stopping = false;
    const timers = new Timers(deps, { pollIntervalMs: config.pollIntervalMs, concurrency: config.concurrency });
    const steps = new StepLoop(deps, timers, config.maxStepsPerJob, () => stopping);
    const ids = taskIdentifiers(config.namespace, config.taskQueue);
    const taskList: TaskList = {
      [ids.workflowTask]: (payload) => steps.workflowTaskJob(runJob.parse(payload).r),
      [ids.activity]: (payload) => steps.activityJob(activityJob.parse(payload)),
      [ids.timeout]: (payload) => timeoutActivity(pool, timeoutJob.parse(payload)),
      [ids.runTimeout]: (payload) => timeoutRun(pool, runJob.parse(payload).r),
      [ids.parentClosed]: (payload) => applyParentClosePolicy(pool, runJob.parse(payload).r),
    };

    const jobs = new JobQueue(pool, taskList, config, logger);
    const liveness = new Liveness(pool, {
      workerId,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      workflowTypes: [...definitions.keys()],
      lockIds: () => jobs.lockIds(),
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      staleWorkerMs: config.staleWorkerMs,
      logger,
    });
    const wakeUps = new WakeUps(pool, () => jobs.nudge(), logger);
    const retention = new RetentionSweeper(pool, config.retentionSweepIntervalMs, logger);
    const worker = new Worker(workerId, config, pool, jobs, liveness, wakeUps, timers, () => (stopping = true), deps.metrics, retention);
    try {
      // Registered and listening before it takes any work, so a database that refuses it
      // (too few connections, not migrated) fails here, while nothing runs yet.
      const started = await Promise.allSettled([liveness.start(), wakeUps.start()]);
      const failed = started.find((outcome) => outcome.status === "rejected");
      if (failed) throw failed.reason;
      timers.start(steps);
      jobs.start();
      await liveness.beatNow(); // the worker's row names the job queue's locks from now on
      retention.start();
      if (config.metricsPort !== undefined) {
        worker.metricsServer = await MetricsServer.start(deps.metrics.registry, config.metricsHost, config.metricsPort);
      }
    } catch (error) {
      await worker.shutdown().catch((stopError: Error) => logger.warn(`stopping the worker that failed to start: ${stopError.message}`));
      throw mapDatabaseError(error);
    }
    return worker;
  }

  /**
   * Finishes the jobs in flight (activities run to completion), then stops and deregisters.
   * The pool is ended even if stopping a part fails (the database is gone); that failure is thrown.
   */
  async shutdown(): Promise<void> {
    this.stopStepLoop();
    try {
      await Promise.all([this.metricsServer?.close(), this.retention.stop()]);
      await Promise.all([this.wakeUps.stop(), this.timers.stop()]);
      await this.jobs.stop();
      await this.liveness.stop();
    } finally {
      await this.pool.end();
    }
  }
}
