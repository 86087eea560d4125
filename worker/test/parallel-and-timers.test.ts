import { describe, expect, it } from "vitest";
import { ScheduleActivity, workflow, type WorkflowContext } from "@weft/sdk";
import { Sleeper } from "./support/workflows.js";
import { useHarness, waitFor } from "./support/harness.js";

@workflow.defn({ name: "fan-out" })
class FanOut {
  *run(_ctx: WorkflowContext, n: number) {
    const results: number[] = yield Array.from({ length: n }, (_, i) => new ScheduleActivity("double", [i]));
    return results;
  }
}

async function eventTime(h: ReturnType<typeof useHarness>, runId: string, type: string): Promise<Date> {
  const { rows } = await h.db.pool.query<{ created_at: Date }>(
    "select created_at from weft.history_events where run_id = $1 and type = $2 order by event_id limit 1",
    [runId, type],
  );
  return rows[0]!.created_at;
}

describe("parallel activities and timers", () => {
  const h = useHarness();

  it("runs 200 activities yielded as one list and returns their results in order", async () => {
    const worker = await h.startWorker({ workflows: [FanOut], activities: { double: (_ctx, i: number) => i * 2 } });
    const handle = await h.client.start(FanOut, [200]);
    const results = await h.client.result<number[]>(handle, { timeoutSeconds: 30 });
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
    await h.stopWorker(worker);
  });

  it("rounds a 1.2 s sleep up to one 2 s durable timer", async () => {
    const worker = await h.startWorker({ workflows: [Sleeper] });
    const handle = await h.client.start(Sleeper, [1.2]);
    await waitFor(async () => (await h.client.describe(handle)).pendingTimers.length === 1);
    await h.advanceClock(2);
    expect(await h.client.result(handle, { timeoutSeconds: 20 })).toBe("woke");
    const history = await h.client.history(handle);
    const started = history.find((e) => e.type === "TimerStarted");
    expect(started?.attributes).toMatchObject({ seconds: 2, timerId: "t1" });
    // The timer counts from the arrival of the event its task reacted to: here the start.
    const startedAt = await eventTime(h, handle.runId, "WorkflowStarted");
    expect(new Date(started!.attributes.fireAt as string).getTime()).toBe(startedAt.getTime() + 2000);
    const elapsed = (await eventTime(h, handle.runId, "TimerFired")).getTime() - startedAt.getTime();
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    await h.stopWorker(worker);
  });

  it("completes 300 sleeping workflows", async () => {
    const worker = await h.startWorker({ workflows: [Sleeper] });
    const handles = await Promise.all(Array.from({ length: 300 }, () => h.client.start(Sleeper, [60])));
    await waitFor(async () => {
      const runIds = handles.map((handle) => handle.runId);
      const { rows } = await h.db.pool.query("select count(*)::int as n from weft.timers where run_id = any($1::uuid[])", [runIds]);
      return rows[0].n === 300;
    }, 60_000);
    await h.advanceClock(60);
    const results = await Promise.all(handles.map((handle) => h.client.result(handle, { timeoutSeconds: 60 })));
    expect(results.every((r) => r === "woke")).toBe(true);
    await h.stopWorker(worker);
  });

  it("fires a timer whose worker went away: another worker finds it by polling", async () => {
    const first = await h.startWorker({ workflows: [Sleeper] });
    const handle = await h.client.start(Sleeper, [60]);
    await waitFor(async () => (await h.client.describe(handle)).pendingTimers.length === 1);
    await h.stopWorker(first); // its in-memory schedule goes with it
    await h.advanceClock(60);
    const second = await h.startWorker({ workflows: [Sleeper] });
    expect(await h.client.result(handle, { timeoutSeconds: 10 })).toBe("woke");
    await h.stopWorker(second);
  });

  it("fires a long timer when database time moves forward", async () => {
    const worker = await h.startWorker({ workflows: [Sleeper] });
    const handle = await h.client.start(Sleeper, [3600]);
    await waitFor(async () => (await h.client.describe(handle)).pendingTimers.length === 1);
    await h.advanceClock(3600);
    expect(await h.client.result(handle, { timeoutSeconds: 20 })).toBe("woke");
    await h.stopWorker(worker);
  });
});
