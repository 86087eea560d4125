// Deletes closed runs whose namespace's retention has expired (sql/functions/retention.sql),
// a batch at a time, every `intervalMs`; all workers sweep, and skip what another is deleting.
import type pg from "pg";
import type { Logger } from "@weft/sdk";
import { deleteExpiredRuns } from "./sql-api.js";

/** Runs deleted per statement: short transactions, however much has expired. */
const BATCH = 500;

export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined)); // sweep never rejects
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Never rejects: a failure is logged and the next interval tries again. */
  private async sweep(): Promise<void> {
    try {
      let deleted = 0;
      for (;;) {
        const batch = await deleteExpiredRuns(this.pool, BATCH);
        deleted += batch;
        if (batch < BATCH || this.stopped) break;
      }
      if (deleted > 0) this.logger.info(`retention: deleted ${deleted} closed run(s) past their namespace's retention`);
    } catch (error) {
      this.logger.warn(`retention sweep failed (will retry): ${(error as Error).message}`);
    }
  }
}
