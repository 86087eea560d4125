import type pg from "pg";
import type { Logger } from "@weft/sdk";

import type { DueTimer } from "./chain-runner.js";

type Fire = (timers: readonly DueTimer[]) => Promise<void>;

/** Timers due together are fired in one transaction, this many at most. */
const FIRE_BATCH = 20;

/**
 * Fires the workflow timers of one task queue (table weft.timers) at their due time. Timers this
 * worker's own tasks create are scheduled in memory the moment their task commits; a poll every
 * `pollIntervalMs` finds the others (created by a worker that died, or before this one
 * started). Several workers may try one timer: weft.fire_timer lets only the first through.
 * Timers that come due in the same turn of the event loop are fired in batches; at most
 * `concurrency` batches run at once.
 */
export class TimerScheduler {
  private readonly scheduled = new Map<string, { timeout: NodeJS.Timeout; dueMs: number }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];
  private due: DueTimer[] = [];
  private pollTimer: NodeJS.Timeout | undefined;
  private fire: Fire | undefined;
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { taskQueue: string; pollIntervalMs: number; concurrency: number; logger: Logger },
  ) {}

  start(fire: Fire): void {
    this.fire = fire;
    void this.poll();
  }

  /** Schedules a fire at `dueMs`, or moves a scheduled one earlier (database time moved on). */
  schedule(runId: string, timerId: string, dueMs: number): void {
    const key = `${runId}/${timerId}`;
    const known = this.scheduled.get(key);
    if (this.stopped || (known && known.dueMs <= dueMs)) return;
    clearTimeout(known?.timeout);
    const timeout = setTimeout(() => {
      // The entry stays until the fire is over, so a poll meanwhile does not schedule it again.
      if (this.due.length === 0) setImmediate(() => this.fireDue());
      this.due.push({ runId, timerId });
    }, Math.max(0, dueMs - Date.now()));
    this.scheduled.set(key, { timeout, dueMs });
  }

  /** Stops scheduling and waits for the fires in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    for (const { timeout } of this.scheduled.values()) clearTimeout(timeout);
    this.scheduled.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private fireDue(): void {
    const due = this.due;
    this.due = [];
    for (let i = 0; i < due.length; i += FIRE_BATCH) void this.run(due.slice(i, i + FIRE_BATCH));
  }

  private async run(timers: DueTimer[]): Promise<void> {
    while (this.inFlight.size >= this.options.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.stopped) return;
    const firing = this.fire!(timers)
      .catch((error: Error) => {
        // The rows stay; the next poll retries them.
        this.options.logger.warn(`firing ${timers.length} timer(s) failed (will retry): ${error.message}`);
      })
      .finally(() => {
        for (const { runId, timerId } of timers) this.scheduled.delete(`${runId}/${timerId}`);
        this.inFlight.delete(firing);
        this.waiting.shift()?.();
      });
    this.inFlight.add(firing);
    await firing;
  }

  private async poll(): Promise<void> {
    const { taskQueue, pollIntervalMs } = this.options;
    try {
      const { rows } = await this.pool.query<{ run_id: string; timer_id: string; due_ms: string }>(
        "select run_id, timer_id, due_ms from weft.due_timers($1, $2, 1000)",
        [taskQueue, pollIntervalMs],
      );
      for (const row of rows) this.schedule(row.run_id, row.timer_id, Number(row.due_ms));
    } catch (error) {
      this.options.logger.warn(`polling for due timers failed (will retry): ${(error as Error).message}`);
    }
    if (!this.stopped) this.pollTimer = setTimeout(() => void this.poll(), pollIntervalMs);
  }
}
