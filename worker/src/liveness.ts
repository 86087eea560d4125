import os from "node:os";
import type pg from "pg";
import type { Logger } from "@weft/sdk";

/**
 * Registers the worker, heartbeats it, and releases the jobs of workers that stopped
 * heartbeating (kill -9, OOM, lost node) so their runs resume within seconds, not the four
 * hours after which graphile-worker itself would.
 */
export class Liveness {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: {
      workerId: string;
      taskQueue: string;
      workflowTypes: string[];
      lockIds: () => string[];
      heartbeatIntervalMs: number;
      staleWorkerMs: number;
      logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    const o = this.options;
    await this.pool.query("select weft.register_workflow_types($1, $2)", [o.taskQueue, o.workflowTypes]);
    this.timer = setInterval(() => void this.beat(), o.heartbeatIntervalMs);
    this.timer.unref();
    await this.beat();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pool.query("select weft.deregister_worker($1)", [this.options.workerId]);
  }

  private async beat(): Promise<void> {
    const o = this.options;
    try {
      const { rows } = await this.pool.query<{ released: string[] }>(
        "select weft.heartbeat_worker($1, $2, $3, $4, $5, $6) as released",
        [o.workerId, o.taskQueue, o.lockIds(), os.hostname(), process.pid, o.staleWorkerMs],
      );
      for (const id of rows[0]!.released) o.logger.warn(`worker ${id} stopped heartbeating; released its jobs`);
    } catch (error) {
      o.logger.warn(`worker heartbeat failed (will retry): ${(error as Error).message}`);
    }
  }
}
