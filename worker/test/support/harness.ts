import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { Client } from "@weft/sdk";
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
