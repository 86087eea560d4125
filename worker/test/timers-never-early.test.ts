// A timer never fires before its due time, however long it is and whoever asks: timers past
// setTimeout's 24.8-day limit once fired at once.
import { describe, expect, it } from "vitest";
import { workflow, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import { useHarness, waitFor } from "./support/harness.js";
import { Sleeper } from "./support/workflows.js";

const DAY_MS = 86_400_000;

@workflow.defn({ name: "wait-a-month" })
class WaitAMonth {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    return yield ctx.waitCondition(() => false, { timeoutSeconds: 30 * 86_400 });
  }
}

describe("timers never fire early", () => {
  const h = useHarness();

  async function timerOf(workflowId: string) {
    await waitFor(async () => (await h.client.describe(workflowId)).pendingTimers.length === 1);
    const { rows } = await h.db.pool.query<{ run_id: string; timer_id: string }>(
      "select t.run_id, t.timer_id from weft.timers t join weft.workflow_runs r using (run_id) where r.workflow_id = $1",
      [workflowId],
    );
    return rows[0]!;
  }

  it("refuses to fire a timer before it is due, years ahead or a day ahead", async () => {
    const worker = await h.startWorker({ workflows: [Sleeper], activities: {} });
    await h.client.start(Sleeper, [3 * 365 * 86_400], { workflowId: "three-years" });
    const timer = await timerOf("three-years");
    const fire = async () =>
      (await h.db.pool.query("select weft.fire_timer($1, $2) as a", [timer.run_id, timer.timer_id])).rows[0].a;

    expect((await fire()).dueInMs).toBeGreaterThan(3 * 364 * DAY_MS);
    await h.db.pool.query("select weft.advance_clock($1)", [3 * 365 * DAY_MS - DAY_MS]);
    const answer = await fire();
    expect(answer.dueInMs).toBeGreaterThan(DAY_MS - 60_000);
    expect(answer.dueInMs).toBeLessThanOrEqual(DAY_MS);
    const history = await h.client.history("three-years");
    expect(history.map((e) => e.type)).not.toContain("TimerFired");
    expect((await h.client.describe("three-years")).pendingTimers).toHaveLength(1);

    await h.db.pool.query("select weft.advance_clock($1)", [DAY_MS]);
    await expect(h.client.result("three-years")).resolves.toBe("woke");
    await h.stopWorker(worker);
  });

  it("keeps 30-day sleeps and condition timeouts waiting until the clock gets there", async () => {
    const worker = await h.startWorker({ workflows: [Sleeper, WaitAMonth], activities: {} });
    await h.client.start(Sleeper, [30 * 86_400], { workflowId: "sleep-a-month" });
    await h.client.start(WaitAMonth, [], { workflowId: "wait-a-month" });
    await timerOf("sleep-a-month");
    await timerOf("wait-a-month");
    // The worker scheduled both the moment their tasks committed; a clamped setTimeout would
    // have fired them within a millisecond. Let its poll (every 500 ms here) pass twice.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await h.client.describe("sleep-a-month")).status).toBe("running");
    expect((await h.client.describe("wait-a-month")).status).toBe("running");

    await h.db.pool.query("select weft.advance_clock($1)", [30 * DAY_MS]);
    await expect(h.client.result("sleep-a-month")).resolves.toBe("woke");
    await expect(h.client.result("wait-a-month")).resolves.toBe(false);
    await h.stopWorker(worker);
  });
});
