// Upgrading a database that runs weft 0.1's schema (its two migrations, which then also held
// the SQL functions) while runs are in flight: the upgraded schema equals a fresh install's,
// and every run then finishes.
import { describe, expect, it } from "vitest";
import { ScheduleActivity, workflow, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import { migrate, type FunctionsOutcome } from "@weft/sql";
import { loadMigrations } from "@weft/sql/internal";
import { createTestDatabase } from "../../sql/test/support/database.js";
import { describeSchema } from "../../sql/test/support/schema.js";
import { useHarness, waitFor } from "./support/harness.js";
import { installReleasedSchema } from "./support/released-schema.js";

@workflow.defn({ name: "upgrade-child" })
class UpgradeChild {
  released = false;
  @workflow.signal("release")
  onRelease() {
    this.released = true;
  }
  *run(ctx: WorkflowContext): WorkflowGenerator {
    yield ctx.waitCondition(() => this.released);
    return "released";
  }
}

/** Waits across the upgrade on an activity no worker serves yet, a child and an hour's timer. */
@workflow.defn({ name: "upgrade-parent" })
class UpgradeParent {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    const [sum, child] = yield* ctx.all([
      new ScheduleActivity<number>("add", [1, 2], { taskQueue: "later" }),
      ctx.startChildWorkflow(UpgradeChild, [], { workflowId: `${ctx.info.workflowId}-child` }),
      ctx.sleep(3600),
    ]);
    return { sum, child };
  }
}

describe("upgrade from weft 0.1's schema", () => {
  const h = useHarness();

  it("gives a fresh install's schema, and the runs in flight finish", async () => {
    await installReleasedSchema(h.db.pool, h.db.url);
    const before = await h.startWorker({ workflows: [UpgradeParent, UpgradeChild], activities: {} });
    const ids = ["up-1", "up-2", "up-3"];
    for (const workflowId of ids) await h.client.start(UpgradeParent, [], { workflowId });
    // Read from the tables: 0.1 had no read functions, and today's Client uses them.
    await waitFor(async () => {
      const { rows } = await h.db.pool.query<{ waiting: number }>(
        `select count(*)::int as waiting from weft.workflow_runs r
          where r.workflow_id = any ($1)
            and exists (select from weft.activity_executions a where a.run_id = r.run_id and a.status = 'scheduled')
            and exists (select from weft.timers t where t.run_id = r.run_id)
            and exists (select from weft.workflow_runs c where c.parent_run_id = r.run_id and c.status = 'running')`,
        [ids],
      );
      return rows[0]!.waiting === ids.length;
    });
    await h.stopWorker(before);

    const outcomes: FunctionsOutcome[] = [];
    await migrate(h.db.url, { onFunctions: (o) => outcomes.push(o) });
    expect(outcomes).toEqual([expect.objectContaining({ applied: true, previousVersion: null })]);
    const fresh = await createTestDatabase();
    try {
      expect(await describeSchema(h.db.pool)).toBe(await describeSchema(fresh.pool));
    } finally {
      await fresh.drop();
    }
    const { rows } = await h.db.pool.query("select id, checksum from weft.migrations order by id");
    expect(rows).toEqual((await loadMigrations()).map((m) => ({ id: m.id, checksum: m.checksum })));

    const after = [
      await h.startWorker({ workflows: [UpgradeParent, UpgradeChild], activities: {} }),
      await h.startWorker({ taskQueue: "later", workflows: [], activities: { add: (_ctx, a: number, b: number) => a + b } }),
    ];
    for (const workflowId of ids) await h.client.signal(`${workflowId}-child`, "release");
    await h.db.pool.query("select weft.advance_clock($1)", [3600_000]);
    for (const workflowId of ids) {
      await expect(h.client.result(workflowId)).resolves.toEqual({ sum: 3, child: "released" });
    }
    for (const worker of after) await h.stopWorker(worker);
  });
});
