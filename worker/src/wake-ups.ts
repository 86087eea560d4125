import type pg from "pg";
import type { Logger } from "@weft/sdk";
import { closeListeningConnection } from "@weft/sdk/internal";
import { listenForWakeUps } from "./sql-api.js";
import { MAX_LOCAL_TIMER_MS } from "./timer-limit.js";

/**
 * graphile-worker finds a delayed job (retry backoff, timeout, task retry) only on its next poll.
 * weft's SQL announces each one (`NOTIFY weft_wake`, payload: due time in epoch ms) and this
 * class nudges the local worker pool at that moment, so they run on time without fast polling.
 */
export class WakeUps {
  private client: pg.PoolClient | undefined;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly nudge: () => void,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const client = await this.pool.connect();
    this.client = client;
    client.on("notification", (message) => this.schedule(Number(message.payload)));
    client.on("error", (error) => {
      this.logger.warn(`wake-up listener lost its connection, reconnecting: ${error.message}`);
      this.client = undefined;
      client.release(true);
      this.reconnect();
    });
    await listenForWakeUps(client);
  }

  /** Retries every second until the database answers again; polling covers the gap. */
  private reconnect(): void {
    if (this.stopped) return;
    setTimeout(() => void this.start().catch(() => this.reconnect()), 1000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const client = this.client;
    this.client = undefined;
    if (client) await closeListeningConnection(client);
  }

  private schedule(dueMs: number): void {
    // A job due past setTimeout's reach is left to graphile-worker's poll.
    const delay = Math.max(0, dueMs - Date.now() + 3); // a few ms late rather than early: run_at is on the database's clock
    if (!Number.isFinite(dueMs) || this.timers.has(dueMs) || this.stopped || delay > MAX_LOCAL_TIMER_MS) return;
    this.timers.set(
      dueMs,
      setTimeout(() => {
        this.timers.delete(dueMs);
        this.nudge();
      }, delay),
    );
  }
}
