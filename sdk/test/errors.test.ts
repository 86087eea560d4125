// Local errors are WeftErrors with stable names, and connection failures are told from bad
// input by code alone: SQLSTATE class, Node network code, or the 08006 that
// handleConnectionErrors gives node-pg's code-less "Connection terminated" errors.
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as sdk from "@weft/sdk";
import {
  Client,
  InvalidArgumentError,
  mapDatabaseError,
  ResultTimeoutError,
  TooManyConnectionsError,
  WeftError,
  WorkflowTaskError,
} from "@weft/sdk";
import { handleConnectionErrors, isInfrastructureError } from "@weft/sdk/internal";
import { createTestDatabase, type TestDatabase } from "../../sql/test/support/database.js";

describe("the error tree", () => {
  it("names every exported error after its class, in a field a bundler cannot rename", () => {
    const errorClasses = Object.entries(sdk).filter(
      ([name, value]) => typeof value === "function" && value.prototype instanceof Error && name.endsWith("Error"),
    ) as [string, new (...args: unknown[]) => Error][];
    expect(errorClasses.map(([name]) => name)).toEqual(expect.arrayContaining(["WorkflowTaskError", "ResultTimeoutError"]));
    for (const [name, ErrorClass] of errorClasses) {
      // Arguments every constructor accepts: (message | id, id | options, cause).
      const error = new ErrorClass("a", "b", new Error("c"));
      expect(error, name).toBeInstanceOf(WeftError);
      expect(error.name).toBe(name);
    }
  });

  it("makes WorkflowTaskError and the result timeout WeftErrors", () => {
    expect(new WorkflowTaskError("bad yield")).toBeInstanceOf(WeftError);
    const timeout = new ResultTimeoutError("run-1", 1.5);
    expect(timeout).toBeInstanceOf(WeftError);
    expect(timeout).toMatchObject({ name: "ResultTimeoutError", runId: "run-1", timeoutSeconds: 1.5 });
  });
});

describe("isInfrastructureError", () => {
  const withCode = (code: string) => Object.assign(new Error("any text"), { code });

  it("takes failing-server SQLSTATE classes and network codes, on the error or its causes", () => {
    for (const code of ["08006", "08001", "40001", "40P01", "53300", "55P03", "57P01", "57P03", "58030", "XX000"]) {
      expect(isInfrastructureError(withCode(code)), code).toBe(true);
    }
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN"]) expect(isInfrastructureError(withCode(code)), code).toBe(true);
    expect(isInfrastructureError(new Error("pool gave up", { cause: withCode("ECONNREFUSED") }))).toBe(true);
  });

  it("refuses bad input, weft's own refusals and errors known only by their message", () => {
    for (const code of ["WF001", "WF005", "22P02", "23505", "42883", "P0001"]) expect(isInfrastructureError(withCode(code)), code).toBe(false);
    expect(isInfrastructureError(new Error("Connection terminated unexpectedly"))).toBe(false);
    expect(isInfrastructureError(new TypeError("x is not a function"))).toBe(false);
    expect(isInfrastructureError(undefined)).toBe(false);
  });
});

describe("mapDatabaseError, when no connection is to be had", () => {
  it("says which limit to raise, and stays an infrastructure error", () => {
    const refusals: [string, RegExp][] = [
      ["sorry, too many clients already", /\(sorry, too many clients already\): raise PostgreSQL's max_connections/],
      ["remaining connection slots are reserved for roles with the SUPERUSER attribute", /raise PostgreSQL's max_connections/],
      ['too many connections for role "app"', /raise the role's CONNECTION LIMIT \(ALTER ROLE\)/],
      ['too many connections for database "app"', /raise the database's CONNECTION LIMIT \(ALTER DATABASE\)/],
    ];
    for (const [message, advice] of refusals) {
      const mapped = mapDatabaseError(Object.assign(new Error(message), { code: "53300" }));
      expect(mapped, message).toBeInstanceOf(TooManyConnectionsError);
      expect((mapped as Error).message).toMatch(advice);
      expect(isInfrastructureError(mapped), message).toBe(true);
    }
    // pg-pool's own error, without a code, when connectionTimeoutMillis passes with every connection busy.
    const poolTimeout = mapDatabaseError(new Error("timeout exceeded when trying to connect"));
    expect(poolTimeout).toBeInstanceOf(TooManyConnectionsError);
    expect((poolTimeout as Error).message).toMatch(/raise the pool's size \(max\) or that timeout/);
  });
});

describe("a connection lost mid-query", () => {
  let db: TestDatabase;
  let proxy: net.Server;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    db = await createTestDatabase();
    // Stands between the pool and PostgreSQL, so the test can cut the connection without a
    // word from the server, as a crashed host or a dropped network would.
    const target = new URL(db.url);
    proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, server]) {
        sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => sockets.delete(s));
      }
      client.pipe(server).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => proxy?.close(resolve));
    await db?.drop();
  });

  it("is an infrastructure error on a pool weft watches", async () => {
    const url = new URL(db.url);
    url.host = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    handleConnectionErrors(pool);
    try {
      await pool.query("select 1"); // connected through the proxy
      const query = pool.query("select pg_sleep(30)").then(
        () => new Error("the query should have failed"),
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const s of sockets) s.destroy();
      const error = (await query) as Error & { code?: string };
      expect(error.message).toMatch(/Connection terminated/);
      expect(error.code).toBe("08006");
      expect(isInfrastructureError(error)).toBe(true);
    } finally {
      await pool.end();
    }
  });
});

describe("Client argument and timeout errors", () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ databaseUrl: db.url });
    // A registered type with no worker: a started run stays open.
    await db.pool.query("select weft.register_workflow_types('default', array['idle'])");
  });
  afterAll(async () => {
    await client?.close();
    await db?.drop();
  });

  it("refuses a start option under a removed or misspelt name, naming it, before any SQL", async () => {
    const start = client.start("idle", [], { runTimeout: 10 } as never);
    await expect(start).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(start).rejects.toThrow(/start options: Unrecognized key: "runTimeout"/);
    const { rows } = await db.pool.query("select count(*)::int as n from weft.workflow_runs");
    expect(rows[0].n).toBe(0);
  });

  it("refuses a child workflow's retry policy for a run the client starts", async () => {
    const retryPolicy = new sdk.ChildWorkflowRetryPolicy({ maxAttempts: 2 }) as unknown as sdk.WorkflowRetryPolicy;
    await expect(client.start("idle", [], { retryPolicy })).rejects.toThrow(/retryPolicy: .*WorkflowRetryPolicy/);
  });

  it("gives up waiting for a result after timeoutSeconds with ResultTimeoutError; the run goes on", async () => {
    const handle = await client.start("idle", [], { workflowId: "idle-1" });
    const started = Date.now();
    const error = await client.result(handle, { timeoutSeconds: 0.3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResultTimeoutError);
    expect(error).toMatchObject({ name: "ResultTimeoutError", runId: handle.runId, timeoutSeconds: 0.3 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect((await client.describe(handle)).status).toBe("running");
  });

  it("refuses a result timeout in ms", async () => {
    await expect(client.result("idle-1", { timeoutMs: 100 } as never)).rejects.toThrow(/Unrecognized key: "timeoutMs"/);
  });
});
