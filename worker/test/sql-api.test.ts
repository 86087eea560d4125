import { describe, expect, it } from "vitest";
import { Approval, OneActivity } from "./support/workflows.js";
import { useHarness } from "./support/harness.js";

describe("SQL API inside the caller's transaction", () => {
  const h = useHarness();

  it("starts nothing when the caller's transaction rolls back, and starts the workflow when it commits", async () => {
    const worker = await h.startWorker({ workflows: [OneActivity], activities: { echo: (_ctx, x: unknown) => x } });
    const conn = await h.db.pool.connect();
    try {
      await conn.query("create table if not exists orders (id int primary key)");
      await conn.query("begin");
      await conn.query("insert into orders values (1)");
      await conn.query(`select weft.start_workflow('one-activity', '["echo", [1]]'::jsonb, 'order-1', 'default')`);
      await conn.query("rollback");
      const { rows } = await conn.query("select count(*)::int as n from weft.workflow_runs where workflow_id = 'order-1'");
      expect(rows[0].n).toBe(0);
      const jobs = await conn.query("select count(*)::int as n from graphile_worker.jobs where task_identifier like 'weft/%'");
      expect(jobs.rows[0].n).toBe(0);

      await conn.query("begin");
      await conn.query("insert into orders values (1)");
      await conn.query(`select weft.start_workflow('one-activity', '["echo", [1]]'::jsonb, 'order-1', 'default')`);
      await conn.query("commit");
    } finally {
      conn.release();
    }
    expect(await h.client.result("order-1", { timeoutSeconds: 10 })).toBe(1);
    await h.stopWorker(worker);
  });

  it("signals from SQL", async () => {
    const worker = await h.startWorker({ workflows: [Approval] });
    await h.db.pool.query(`select weft.start_workflow('approval', '[]', 'approval-sql')`);
    await h.db.pool.query(`select weft.signal_workflow('approval-sql', 'approve', '["sql"]')`);
    expect(await h.client.result("approval-sql", { timeoutSeconds: 10 })).toEqual(["sql"]);
    await h.stopWorker(worker);
  });
});
