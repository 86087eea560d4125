// A worker's metrics port: counters and histograms move as its steps run, and the gauges read
// the database at each scrape (docs/metrics.md).
import { describe, expect, it } from "vitest";
import { workflow, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import { useHarness, waitFor } from "./support/harness.js";

@workflow.defn({ name: "metered" })
class Metered {
  *run(ctx: WorkflowContext): WorkflowGenerator<string> {
    const value = yield* ctx.activity<string>("flaky", [], { startToCloseTimeoutSeconds: 10 });
    yield* ctx.sleep(1);
    return value;
  }
}

/** The value of one sample line of Prometheus text (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe("worker metrics", () => {
  const h = useHarness();

  it("counts workflow tasks, activity attempts and timer lateness, and reads open runs and ready jobs", async () => {
    const worker = await h.startWorker({
      workflows: [Metered],
      activities: {
        flaky: (ctx) => {
          if (ctx.attempt === 1) throw new Error("first attempt fails");
          return "done";
        },
      },
      metricsPort: 0,
    });
    expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const handle = await h.client.start(Metered, []);
    await waitFor(async () => (await h.client.describe(handle)).pendingTimers.length === 1);
    const waiting = await (await fetch(worker.metricsUrl!)).text();
    expect(sample(waiting, "weft_open_runs")).toBe(1);
    expect(sample(waiting, "weft_ready_jobs", { kind: "workflow_task", task_queue: "default" })).toBe(0);

    await h.advanceClock(1);
    await expect(h.client.result(handle)).resolves.toBe("done");
    const response = await fetch(worker.metricsUrl!);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(sample(text, "weft_workflow_tasks_total", { workflow_type: "metered", outcome: "completed" })).toBeGreaterThanOrEqual(3);
    expect(sample(text, "weft_activity_attempts_total", { activity_type: "flaky", outcome: "failed" })).toBe(1);
    expect(sample(text, "weft_activity_attempts_total", { activity_type: "flaky", outcome: "completed" })).toBe(1);
    expect(sample(text, "weft_activity_attempt_duration_seconds_count", { activity_type: "flaky" })).toBe(2);
    expect(sample(text, "weft_timer_lateness_seconds_count")).toBe(1);
    expect(sample(text, "weft_workflows_closed_total", { workflow_type: "metered", status: "completed" })).toBe(1);
    expect(sample(text, "weft_workflows_started_total", { workflow_type: "metered" })).toBe(1);
    expect(sample(text, "weft_open_runs")).toBe(0);
    expect(await worker.metrics()).toContain("weft_workflow_task_duration_seconds_bucket");
    expect((await fetch(worker.metricsUrl!.replace("/metrics", "/other"))).status).toBe(404);
    const url = worker.metricsUrl!;
    await h.stopWorker(worker);
    await expect(fetch(url)).rejects.toThrow(); // the port closes with the worker
  });
});
