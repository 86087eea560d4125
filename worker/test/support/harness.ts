import pg from "pg";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { Client } from "@weft/sdk";
import { advanceClock } from "@weft/sdk/testing";
import { Worker, type WorkerOptions } from "@weft/worker";
import { createTestDatabase, type TestDatabase } from "../../../sql/test/support/database.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Per-file harness: a fresh database, a client, and workers that are shut down after each
 * test. A test that leaves a worker running fails (the guard in afterEach).
 */
export function useHarness() {
  let database: TestDatabase;
  let client: Client;
  const running = new Set<Worker>();

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new Client({ databaseUrl: database.url });
  });
  afterEach(async () => {
    const leaked = running.size;
    await Promise.all([...running].map((w) => w.shutdown()));
    running.clear();
    expect(leaked, "test left workers running; shut them down with stopWorker").toBe(0);
  });
  afterAll(async () => {
    await client?.close();
    await database?.drop();
  });

  return {
    get db() {
      return database;
    },
    get client() {
      return client;
    },
    async startWorker(options: Omit<WorkerOptions, "databaseUrl">): Promise<Worker> {
      const worker = await Worker.create({ logger: quiet, pollIntervalMs: 500, ...options, databaseUrl: database.url });
      running.add(worker);
      return worker;
    },
    async stopWorker(worker: Worker): Promise<void> {
      running.delete(worker);
      await worker.shutdown();
    },
    /** Moves database time forward: weft.now(), pending timers and delayed weft jobs. */
    advanceClock(seconds: number): Promise<void> {
      return advanceClock(database.pool, seconds);
    },
  };
}

/** Polls `check` until true; for waiting on state the test cannot be notified of. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A connection of its own for one side of a race, and its backend pid. */
export async function connectSession(url: string): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
  return { client, pid: rows[0]!.pid };
}

/**
 * Waits until backend `pid` is waiting for a lock that backend `blocker` holds: the moment a
 * race test must reach before letting `blocker` go on, whatever the machine's speed.
 */
export async function waitUntilBlocked(pool: pg.Pool, pid: number, blocker: number): Promise<void> {
  await waitFor(async () => {
    const { rows } = await pool.query<{ blocked: boolean }>("select $2::int = any(pg_blocking_pids($1)) as blocked", [pid, blocker]);
    return rows[0]!.blocked;
  });
}

/**
 * Waits until no weft job or timer is due at the database's time, so everything that time
 * allows has run: what a test checks next did not happen merely because it was not run yet.
 */
export async function waitUntilNothingDue(pool: pg.Pool): Promise<void> {
  await waitFor(async () => {
    const { rows } = await pool.query<{ due: boolean }>(
      `select exists (select 1 from graphile_worker.jobs
                       where task_identifier like 'weft/%' and run_at <= now()
                         and (locked_at is not null or attempts < max_attempts))
           or exists (select 1 from weft.timers where due_at <= now()) as due`,
    );
    return !rows[0]!.due;
  });
}

/** Rows of the tables a write would touch: equal before and after, a refused call wrote nothing. */
export async function rowCounts(pool: pg.Pool): Promise<unknown> {
  const { rows } = await pool.query(`select
    (select count(*) from weft.workflow_runs)::int as runs,
    (select count(*) from weft.inbox)::int as inbox,
    (select count(*) from weft.history_events)::int as events,
    (select count(*) from graphile_worker.jobs)::int as jobs`);
  return rows[0];
}
