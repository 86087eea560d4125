import type pg from "pg";
import { heartbeatActivity, type AttemptIds } from "../sql-api.js";

/**
 * Sends an attempt's heartbeats to the database at most once per `intervalMs`, always ending
 * with the latest details. Reports when the database says the attempt is no longer current.
 */
export class HeartbeatSender {
  private latest: { details: unknown } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSentAt = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly attempt: AttemptIds,
    private readonly intervalMs: number,
    private readonly onStale: () => void,
  ) {}

  record(details: unknown): void {
    this.latest = { details: details === undefined ? null : details };
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush(); // never rejects: a lost heartbeat is caught below
    }, wait);
  }

  async flush(): Promise<void> {
    await this.inFlight;
    const latest = this.latest;
    if (!latest) return;
    this.latest = undefined;
    this.lastSentAt = Date.now();
    this.inFlight = heartbeatActivity(this.pool, this.attempt, JSON.stringify(latest.details))
      .then((current) => {
        if (!current) this.onStale();
      })
      .catch(() => {
        // A lost heartbeat only matters if it persists; the heartbeat timeout covers that.
      });
    await this.inFlight;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
