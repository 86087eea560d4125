import type pg from "pg";
import { isInfrastructureError } from "../errors.js";
import { listenForClosedRuns } from "./sql-api.js";
import type { RunState } from "./views.js";

/**
 * Resolves waiters when their run closes, woken by the NOTIFY of the closing transaction
 * (RUN_CLOSED_CHANNEL). One LISTEN connection per client, opened lazily.
 */
export class CloseListener {
  private connection: Promise<pg.PoolClient> | undefined;
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly pool: pg.Pool) {}

  /**
   * The run's state once it is closed, or the last state read (running) when `timeoutMs`
   * passes or `signal` aborts first.
   */
  async waitFor(runId: string, read: () => Promise<RunState>, until: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RunState> {
    const { timeoutMs, signal } = until;
    let wake!: () => void;
    let woken = new Promise<void>((resolve) => (wake = resolve));
    const waiter = () => wake();
    const set = this.waiters.get(runId) ?? new Set();
    set.add(waiter);
    this.waiters.set(runId, set);
    signal?.addEventListener("abort", waiter, { once: true });
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    try {
      // LISTEN is in place before the first read, so a close between the two is not missed.
      for (;;) {
        let state: RunState;
        try {
          await this.listen();
          state = await read();
        } catch (error) {
          // The database is unreachable (restarting?): keep waiting until the deadline.
          if (!isInfrastructureError(error) || (deadline !== undefined && Date.now() >= deadline) || signal?.aborted) throw error;
          await sleep(500);
          continue;
        }
        const left = deadline === undefined ? undefined : deadline - Date.now();
        if (state.status !== "running" || (left !== undefined && left <= 0) || signal?.aborted) return state;
        await (left === undefined ? woken : Promise.race([woken, sleep(left)]));
        woken = new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      signal?.removeEventListener("abort", waiter);
      set.delete(waiter);
      if (set.size === 0) this.waiters.delete(runId);
    }
  }

  async close(): Promise<void> {
    const connection = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    if (connection) await closeListeningConnection(connection);
  }

  private listen(): Promise<pg.PoolClient> {
    this.connection ??= (async () => {
      const client = await this.pool.connect();
      let released = false;
      const release = () => {
        if (!released) client.release(true);
        released = true;
      };
      client.on("notification", (message) => {
        for (const waiter of this.waiters.get(message.payload ?? "") ?? []) waiter();
      });
      client.on("error", () => {
        // A lost connection: reconnect on the next wait and wake everyone to re-read state.
        this.connection = undefined;
        release();
        for (const set of this.waiters.values()) for (const waiter of set) waiter();
      });
      try {
        await listenForClosedRuns(client);
      } catch (error) {
        release();
        throw error;
      }
      return client;
    })().catch((error: unknown) => {
      this.connection = undefined; // the next wait tries again
      throw error;
    });
    return this.connection;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Closes a pooled connection that LISTENs instead of returning it to the pool, and waits until
 * it is closed, so stopping the server right after does not cut it.
 */
export async function closeListeningConnection(client: pg.PoolClient): Promise<void> {
  const ended = new Promise<void>((resolve) => client.once("end", () => resolve()));
  client.release(true);
  await ended;
}
