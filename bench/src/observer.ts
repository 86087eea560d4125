// How the bench observes completion in a peer's database, and counts the transactions it
// spends doing so (they are subtracted from the peer's transactions per step).
import { performance } from "node:perf_hooks";
import pg from "pg";

/** Rejects with the signal's reason when it aborts; the abandoned promise may settle unobserved. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => {});
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error as Error);
      },
    );
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  const slept = new Promise<void>((resolve) => setTimeout(resolve, ms));
  return signal ? abortable(slept, signal) : slept;
}

/** A pool whose checkouts are counted: each checkout in weft's Client runs one statement. */
export function countedPool(url: string, max: number): pg.Pool & { readonly checkouts: () => number } {
  const pool = new pg.Pool({ connectionString: url, max });
  let checkouts = 0;
  pool.on("acquire", () => checkouts++);
  return Object.assign(pool, { checkouts: () => checkouts });
}

/** An observer connection that runs a query every `intervalMs` until `done` says so (WORKLOADS.md rule 3). */
export class Poller {
  xacts = 0;
  private constructor(private readonly client: pg.Client) {}

  static async connect(url: string): Promise<Poller> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new Poller(client);
  }

  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    this.xacts++;
    return (await this.client.query<R>(text, values)).rows;
  }

  /** Resolves with the time (performance.now()) the first satisfying row was read. */
  async until<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
    done: (row: R) => boolean,
    options: { intervalMs: number; signal: AbortSignal },
  ): Promise<number> {
    for (;;) {
      const began = performance.now();
      const [row] = await this.query<R>(text, values);
      const at = performance.now();
      if (done(row!)) return at;
      await sleep(Math.max(0, began + options.intervalMs - at), options.signal);
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/**
 * The bench's LISTEN connection in a peer's database. PostgreSQL signals every listener of a
 * database on every NOTIFY, on any channel, and the listener reads the queue in a transaction
 * of its own; so an observer that listens costs the peer's xact_commit one transaction per
 * wake-up. Listening on all the channels the peer uses makes each wake-up visible here, and
 * `wakeups` counts them (notifications arriving in one tick are one wake-up).
 * With `doneChannel`, the payload names an item that completed (WORKLOADS.md rule 2: NOTIFY
 * from an AFTER trigger, delivered at commit); register with `expect` before starting it.
 */
export class Listener {
  /** Its own statements (the LISTEN). */
  statements = 0;
  wakeups = 0;
  private inWakeup = false;
  private readonly waiting = new Map<string, (at: number) => void>();
  /** Completions that arrived before anyone expected them (a run can close before start() returns). */
  private readonly early = new Map<string, number>();

  private constructor(
    private readonly client: pg.Client,
    doneChannel: string | undefined,
  ) {
    client.on("notification", (message) => {
      const at = performance.now();
      if (!this.inWakeup) {
        this.inWakeup = true;
        this.wakeups++;
        setImmediate(() => (this.inWakeup = false));
      }
      if (message.channel !== doneChannel) return;
      const key = message.payload ?? "";
      const waiter = this.waiting.get(key);
      if (waiter) waiter(at);
      else this.early.set(key, at);
      this.waiting.delete(key);
    });
  }

  static async listen(url: string, channels: readonly string[], doneChannel?: string): Promise<Listener> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const listener = new Listener(client, doneChannel);
    listener.statements++;
    await client.query(channels.map((c) => `listen ${pg.escapeIdentifier(c)};`).join(" "));
    return listener;
  }

  /** Resolves with the time (performance.now()) the notification for `key` arrived. */
  expect(key: string): Promise<number> {
    const at = this.early.get(key);
    this.early.delete(key);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
