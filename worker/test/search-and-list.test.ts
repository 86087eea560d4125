import { describe, expect, it } from "vitest";
import pg from "pg";
import {
  Client,
  InvalidArgumentError,
  UpsertSearchAttributes,
  mapDatabaseError,
  workflow,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import { useHarness } from "./support/harness.js";

/** Marks itself paid and drops its region, then waits to be released. */
@workflow.defn({ name: "tagged" })
class Tagged {
  released = false;
  @workflow.signal("release")
  onRelease() {
    this.released = true;
  }
  *run(ctx: WorkflowContext): WorkflowGenerator {
    yield new UpsertSearchAttributes({ stage: "paid", region: null, tags: ["vip", "eu"] });
    yield ctx.waitCondition(() => this.released);
    return ctx.info.searchAttributes;
  }
}

describe("search attributes and Client.list", () => {
  const h = useHarness();

  it("starts with attributes, lets the workflow change them, and finds runs by them", async () => {
    const worker = await h.startWorker({ workflows: [Tagged] });
    const acme = await h.client.start(Tagged, [], { workflowId: "acme-1", searchAttributes: { customer: "acme", region: "eu" } });
    await h.client.start(Tagged, [], { workflowId: "globex-1", searchAttributes: { customer: "globex" } });
    const found = async (searchAttributes: Record<string, string | string[]>) =>
      (await h.client.list({ searchAttributes })).runs.map((r) => r.workflowId).sort();
    await expect.poll(() => found({ stage: "paid" }), { timeout: 10_000 }).toEqual(["acme-1", "globex-1"]);
    expect(await found({ customer: "acme" })).toEqual(["acme-1"]);
    expect(await found({ region: "eu" })).toEqual([]);
    expect(await found({ tags: ["vip"] })).toEqual(["acme-1", "globex-1"]);
    expect((await h.client.describe(acme)).searchAttributes).toEqual({ customer: "acme", stage: "paid", tags: ["vip", "eu"] });
    expect((await h.client.list({ status: "running", workflowType: "tagged" })).runs).toHaveLength(2);
    await h.client.signal(acme, "release");
    expect(await h.client.result(acme, { timeoutSeconds: 10 })).toEqual({ customer: "acme", stage: "paid", tags: ["vip", "eu"] });
    expect((await h.client.list({ status: "completed" })).runs.map((r) => r.workflowId)).toEqual(["acme-1"]);
    await h.client.terminate("globex-1");
    await h.stopWorker(worker);
  });

  it("pages through runs newest first with a cursor, none twice, none missed", async () => {
    const worker = await h.startWorker({ workflows: [Tagged] });
    await h.stopWorker(worker); // registered; the runs need not run
    const started = await Promise.all(Array.from({ length: 7 }, () => h.client.start(Tagged, [], { searchAttributes: { batch: "paging" } })));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await h.client.list({ searchAttributes: { batch: "paging" }, limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.runs.map((r) => r.runId));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(started.map((s) => s.runId).sort());

    // The cursor does not depend on the session's DateStyle.
    const german = new Client({ databaseUrl: `${h.db.url}?options=-c%20DateStyle%3DGerman` });
    try {
      const first = await german.list({ searchAttributes: { batch: "paging" }, limit: 4 });
      const second = await german.list({ searchAttributes: { batch: "paging" }, limit: 4, cursor: first.nextCursor! });
      expect([...first.runs, ...second.runs].map((r) => r.runId).sort()).toEqual(started.map((s) => s.runId).sort());
    } finally {
      await german.close();
    }
  });

  it("treats filter values as data, and refuses malformed filters with InvalidArgumentError", async () => {
    const injection = "x' or '1'='1";
    expect((await h.client.list({ workflowType: injection })).runs).toEqual([]);
    expect((await h.client.list({ workflowId: "'; drop table weft.workflow_runs; --" })).runs).toEqual([]);
    expect((await h.client.list({ searchAttributes: { customer: injection } })).runs).toEqual([]);
    await expect(h.client.list({ searchAttributes: { "a') or true --": "x" } })).rejects.toThrow(InvalidArgumentError);
    await expect(h.client.list({ status: "bogus" as never })).rejects.toThrow(InvalidArgumentError);
    await expect(h.client.list({ limit: 5000 })).rejects.toThrow(InvalidArgumentError);
    await expect(h.client.list({ cursor: "not-a-cursor" })).rejects.toThrow(/not a list cursor/);
    await expect(h.client.list({ orderBy: "1; drop" } as never)).rejects.toThrow(InvalidArgumentError);
    expect((await h.client.list({ limit: 1 })).runs.length).toBeLessThanOrEqual(1); // the table is still there
  });

  it("takes start options from SQL and refuses bad search attributes there", async () => {
    const worker = await h.startWorker({ workflows: [Tagged] });
    const pool = new pg.Pool({ connectionString: h.db.url });
    try {
      await pool.query(
        `select weft.start_workflow('tagged', '[]', 'from-sql', 'default', null,
           '{"searchAttributes": {"customer": "sql"}, "parentRunId": "00000000-0000-0000-0000-000000000000"}')`,
      );
      const described = await h.client.describe("from-sql");
      expect(described.searchAttributes).toMatchObject({ customer: "sql" });
      expect(described.parent).toBeNull(); // weft's own bookkeeping is not a start option
      const bad = await pool
        .query(`select weft.start_workflow('tagged', '[]', 'bad-attrs', 'default', null, '{"searchAttributes": {"x": {"nested": 1}}}')`)
        .catch((e: unknown) => mapDatabaseError(e));
      expect(bad).toBeInstanceOf(InvalidArgumentError);
      expect((await h.client.list({ workflowId: "bad-attrs" })).runs).toEqual([]);
      await expect(h.client.start(Tagged, [], { searchAttributes: { "no spaces": 1 } })).rejects.toThrow(InvalidArgumentError);
      await h.client.terminate("from-sql");
    } finally {
      await pool.end();
      await h.stopWorker(worker);
    }
  });
});
