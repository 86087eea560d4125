// Connections cut under load (pg_terminate_backend, as a failover or a restart does): the
// worker rides through and every workflow finishes. graphile-worker once left a job's failed
// completion as an unhandled rejection, which ended the worker's process (and fails this run).
import pg from "pg";
import { describe, expect, it } from "vitest";
import { ScheduleActivity, workflow, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import { useHarness } from "./support/harness.js";

@workflow.defn({ name: "busy" })
class Busy {
  *run(_ctx: WorkflowContext, n: number): WorkflowGenerator<number> {
    let total = yield* new ScheduleActivity<number>("work", [n]);
    const pair = yield* _ctx.all([new ScheduleActivity<number>("work", [1]), new ScheduleActivity<number>("work", [2])]);
    for (const value of pair) total += value;
    return yield* new ScheduleActivity<number>("work", [total]);
  }
}

const work = async (_ctx: unknown, n: number) => {
  await new Promise((resolve) => setTimeout(resolve, 5 + (n % 20)));
  return n + 1;
};

describe("connection faults", () => {
  const h = useHarness();

  it("finishes 120 busy workflows while every connection is cut again and again", async () => {
    const worker = await h.startWorker({ workflows: [Busy], activities: { work }, concurrency: 10 });
    const handles = await Promise.all(Array.from({ length: 120 }, (_, i) => h.client.start(Busy, [i])));

    const killer = new pg.Client({ connectionString: h.db.url });
    await killer.connect();
    let cut = 0;
    try {
      for (let round = 0; round < 8; round++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const { rowCount } = await killer.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
        );
        cut += rowCount ?? 0;
      }
    } finally {
      await killer.end();
    }
    expect(cut).toBeGreaterThan(8);

    const results = await Promise.all(handles.map((handle) => h.client.result<number>(handle, { timeoutSeconds: 120 })));
    // n -> n + 1, plus (1 + 1) + (2 + 1), then + 1
    expect(results).toEqual(handles.map((_, i) => i + 1 + 5 + 1));
    const { rows } = await h.db.pool.query("select count(*)::int as n from weft.workflow_runs where status <> 'completed'");
    expect(rows[0].n).toBe(0);

    // Still working after the faults: a new workflow runs to the end.
    const after = await h.client.start(Busy, [1000]);
    expect(await h.client.result(after, { timeoutSeconds: 60 })).toBe(1007);
    await h.stopWorker(worker);
  });
});
