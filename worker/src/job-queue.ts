import { EventEmitter } from "node:events";
import { Logger as GraphileLogger, runTaskList, type RunnerOptions, type Task, type TaskList, type WorkerPool } from "graphile-worker";
import type pg from "pg";
import type { Logger } from "@weft/sdk";
import { forceUnlockWorkers } from "./sql-api.js";
import { untilTheDatabaseAnswers } from "./until-the-database-answers.js";

export interface JobQueueOptions {
  readonly concurrency: number;
  readonly pollIntervalMs: number;
  readonly fetchBatchSize: number;
  readonly completeBatchDelayMs: number;
}

/** One graphile-worker pool and what weft tracks of it. */
interface PoolState {
  readonly workerPool: WorkerPool;
  /** graphile-worker ids its jobs are locked by. */
  readonly lockIds: Set<string>;
  /** weft job handlers of this pool still running, and who waits for none to be. */
  running: number;
  readonly onIdle: (() => void)[];
}

/**
 * The worker's graphile-worker pool, kept running through lost connections. graphile-worker
 * does not retry a job's completion when its connection is cut (a PostgreSQL restart, a
 * failover, pg_terminate_backend): its pool gives up and shuts down, and leaves the job locked.
 * Completions therefore go through its batcher, which reports such a failure (a failed
 * completion outside it is an unhandled rejection that ends the process). A new pool takes over
 * at once, and when the old one has no weft job left running, its job locks are released so the
 * jobs it could not complete run again: harmless, as a stale attempt is dropped and a workflow
 * task re-checks the run under its lock. (The old pool's own shutdown can hang on a failed
 * batch, so nothing here waits for it.)
 */
export class JobQueue {
  private current: PoolState | undefined;
  private readonly pools = new Map<WorkerPool, PoolState>();
  private readonly releasing = new Set<Promise<void>>();
  private stopping = false;
  /**
   * One options object for every pool: graphile-worker compiles and caches by its identity,
   * task ids included, so a pool started while connections are being cut does not have to
   * look them up (a failed lookup stays cached and the pool would never fetch a job).
   */
  private readonly graphileOptions: RunnerOptions;
  private starting: { lockIds: Set<string>; workerPool?: WorkerPool } | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly taskList: TaskList,
    options: JobQueueOptions,
    private readonly logger: Logger,
  ) {
    const events = new EventEmitter();
    events.on("pool:create", ({ workerPool }: { workerPool: WorkerPool }) => {
      this.starting!.workerPool = workerPool;
      this.starting!.lockIds.add(workerPool.id);
    });
    events.on("worker:create", ({ worker }: { worker: { workerId: string; workerPool: WorkerPool } }) =>
      (this.pools.get(worker.workerPool) ?? this.starting)?.lockIds.add(worker.workerId),
    );
    events.on("pool:fatalError", ({ workerPool, error }: { workerPool: WorkerPool; error: Error }) => {
      const state = this.pools.get(workerPool);
      if (state) this.replace(state, error);
    });
    this.graphileOptions = {
      concurrency: options.concurrency,
      pollInterval: options.pollIntervalMs,
      noHandleSignals: true,
      logger: graphileLogger(logger),
      events,
      preset: {
        worker: {
          localQueue: { size: options.fetchBatchSize > 1 ? options.fetchBatchSize : -1 },
          // Batched (0: those of one turn of the event loop) so a failed completion is reported.
          completeJobBatchDelay: options.completeBatchDelayMs,
          failJobBatchDelay: 0,
        },
      },
    };
  }

  start(): void {
    const state: PoolState = { lockIds: new Set(), running: 0, onIdle: [], workerPool: undefined as unknown as WorkerPool };
    this.starting = state;
    const workerPool = runTaskList(this.graphileOptions, this.counted(state), this.pool);
    this.starting = undefined;
    Object.assign(state, { workerPool });
    this.current = state;
    this.pools.set(workerPool, state);
    // Never settles while a failed batch hangs its shutdown; a settled one is dealt with here.
    workerPool.promise.then(
      () => this.replace(state, new Error("it stopped")),
      (error: Error) => this.replace(state, error),
    );
  }

  /** The ids whose job locks weft.heartbeat_worker frees should this process die. */
  lockIds(): string[] {
    return [...this.pools.values()].flatMap((state) => [...state.lockIds]);
  }

  /** Tells the pool a job may be ready (weft's wake-ups of delayed jobs). */
  nudge(): void {
    this.current?.workerPool.nudge(1);
  }

  /** Finishes the jobs in flight, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.current?.workerPool.gracefulShutdown("weft worker shutting down");
    await Promise.all([...this.releasing]);
  }

  private replace(state: PoolState, error: Error): void {
    if (this.stopping || this.current !== state) return;
    this.logger.warn(`job queue lost the database (${error.message}); starting a new one`);
    this.start();
    const released = this.releaseWhenIdle(state);
    this.releasing.add(released);
    void released.finally(() => this.releasing.delete(released)); // releaseWhenIdle never rejects
  }

  private async releaseWhenIdle(state: PoolState): Promise<void> {
    if (state.running > 0) await new Promise<void>((resolve) => state.onIdle.push(resolve));
    // If it gives up, they stay in lockIds(): weft.deregister_worker frees them at shutdown,
    // weft.heartbeat_worker if this process dies.
    await untilTheDatabaseAnswers(
      async () => {
        await forceUnlockWorkers(this.pool, [...state.lockIds]);
        this.pools.delete(state.workerPool);
      },
      () => this.stopping,
      (error) => this.logger.warn(`releasing the jobs of the old job queue failed (will retry): ${error.message}`),
    );
  }

  /** The task list with each handler counted in `state.running`. */
  private counted(state: PoolState): TaskList {
    const wrap =
      (task: Task): Task =>
      async (payload, helpers) => {
        state.running++;
        try {
          return await task(payload, helpers);
        } finally {
          if (--state.running === 0) for (const resolve of state.onIdle.splice(0)) resolve();
        }
      };
    return Object.fromEntries(Object.entries(this.taskList).map(([identifier, task]) => [identifier, wrap(task as Task)]));
  }
}

// graphile-worker reports job errors at error level; weft records them on runs itself.
function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger(() => (level, message) => {
    if (level === "error") logger.warn(`[graphile-worker] ${message}`);
  });
}
