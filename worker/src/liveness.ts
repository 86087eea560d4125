import os from "node:os";
import type pg from "pg";
import type { Logger } from "@weft/sdk";
import { deregisterWorker, heartbeatWorker, registerWorkflowTypes } from "./sql-api.js";

/**
 * Registers the worker, heartbeats it, and releases the jobs of workers that stopped
 * heartbeating (kill -9, OOM, lost node) so their runs resume within seconds, not the four
 * hours after which graphile-worker itself would.
 */
export class Liveness {
  private timer: NodeJS.Timeout | undefined;
  private registered = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: {
      workerId: string;
      namespace: string;
      taskQueue: string;
      workflowTypes: string[];
      lockIds: () => string[];
      heartbeatIntervalMs: number;
      staleWorkerMs: number;
      logger: Logger;
    },
  ) {}

  /** Registers the worker with its first heartbeat (rejects if that fails), then heartbeats. */
  async start(): Promise<void> {
    const o = this.options;
    await registerWorkflowTypes(this.pool, o.namespace, o.taskQueue, o.workflowTypes);
    await this.beat();
    this.registered = true;
    this.timer = setInterval(() => void this.beatNow(), o.heartbeatIntervalMs);
    this.timer.unref();
  }

  /** Heartbeats now, with the current lock ids. Never rejects: a failure is logged, the next beat retries. */
  async beatNow(): Promise<void> {
    try {
      await this.beat();
    } catch (error) {
      this.options.logger.warn(`worker heartbeat failed (will retry): ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.registered) await deregisterWorker(this.pool, this.options.workerId);
  }

  private async beat(): Promise<void> {
    const o = this.options;
    const released = await heartbeatWorker(this.pool, {
      workerId: o.workerId,
      taskQueue: o.taskQueue,
      lockIds: o.lockIds(),
      hostname: os.hostname(),
      pid: process.pid,
      staleWorkerMs: o.staleWorkerMs,
    });
    for (const id of released) o.logger.warn(`worker ${id} stopped heartbeating; released its jobs`);
  }
}
