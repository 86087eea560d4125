import { describe, expect, it } from "vitest";
import { ScheduleActivity, workflow, type WorkflowContext } from "@weft/sdk";
import { useHarness } from "./support/harness.js";

@workflow.defn({ name: "counter-chain" })
class CounterChain {
  *run(_ctx: WorkflowContext) {
    let n = 0;
    for (let i = 0; i < 5; i++) n = yield new ScheduleActivity("inc", [n]);
    return n;
  }
}

describe("several workers on one database", () => {
  const h = useHarness();

  // Worker "c" has the step loop and the workflow cache off: every step goes through a job
  // and every task replays the whole history. Worker "b" fetches jobs in batches.
  it("share the work, and no run is processed by two workflow tasks at once", async () => {
    const running = new Map<string, number>();
    let overlaps = 0;
    const workedBy = new Set<string>();
    const make = (name: string, maxStepsPerJob?: number) => ({
      workflows: [CounterChain],
      concurrency: 4,
      maxStepsPerJob,
      activities: {
        inc: async (ctx: { info: { runId: string } }, n: number) => {
          workedBy.add(name);
          const now = running.get(ctx.info.runId) ?? 0;
          if (now > 0) overlaps++;
          running.set(ctx.info.runId, now + 1);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running.set(ctx.info.runId, now);
          return n + 1;
        },
      },
    });
    const workers = await Promise.all([h.startWorker(make("a")), h.startWorker({ ...make("b"), fetchBatchSize: 5, completeBatchDelayMs: 5 }), h.startWorker({ ...make("c", 0), maxCachedWorkflows: 0 })]);
    const handles = await Promise.all(Array.from({ length: 60 }, () => h.client.start(CounterChain, [])));
    const results = await Promise.all(handles.map((handle) => h.client.result(handle, { timeoutSeconds: 30 })));
    expect(results.every((r) => r === 5)).toBe(true);
    expect(overlaps).toBe(0);
    expect(workedBy.size).toBeGreaterThan(1);
    for (const handle of handles.slice(0, 10)) {
      const events = await h.client.history(handle);
      expect(events.map((e) => e.eventId)).toEqual(events.map((_, i) => i + 1)); // dense, no duplicates
      expect(events.filter((e) => e.type === "ActivityCompleted")).toHaveLength(5);
    }
    for (const worker of workers) await h.stopWorker(worker);
  });
});
