import { describe, expect, it } from "vitest";
import { workflow, type WorkflowContext } from "@weft/sdk";
import { Approval } from "./support/workflows.js";
import { useHarness, waitFor } from "./support/harness.js";

@workflow.defn({ name: "collector" })
class Collector {
  items: string[] = [];
  @workflow.signal("add")
  onAdd(item: string) {
    this.items.push(item);
  }
  *run(ctx: WorkflowContext, expected: number) {
    yield ctx.waitCondition(() => this.items.length >= expected);
    return this.items;
  }
}

describe("signals", () => {
  const h = useHarness();

  it("runs the seed's approval workflow: a signal sets approved and the run loop completes", async () => {
    const worker = await h.startWorker({ workflows: [Approval] });
    const handle = await h.client.start(Approval, [], { workflowId: "approval-1" });
    await waitFor(async () => (await h.client.history(handle)).length > 0); // first task done, now waiting
    await h.client.signal("approval-1", "approve", ["ada"]);
    expect(await h.client.result(handle, { timeoutSeconds: 10 })).toEqual(["ada"]);
    await h.stopWorker(worker);
  });

  it("delivers signals sent before the workflow's first task", async () => {
    const worker = await h.startWorker({ workflows: [Collector] });
    await h.stopWorker(worker); // registers the type, then nothing runs
    const handle = await h.client.start(Collector, [3]);
    for (const item of ["a", "b", "c"]) await h.client.signal(handle, "add", [item]);
    const again = await h.startWorker({ workflows: [Collector] });
    expect(await h.client.result(handle, { timeoutSeconds: 10 })).toEqual(["a", "b", "c"]);
    const types = (await h.client.history(handle)).map((e) => e.type);
    expect(types.slice(0, 4)).toEqual(["WorkflowStarted", "SignalReceived", "SignalReceived", "SignalReceived"]);
    await h.stopWorker(again);
  });

  it("delivers many signals sent at once, in order", async () => {
    const worker = await h.startWorker({ workflows: [Collector] });
    const handle = await h.client.start(Collector, [20]);
    const items = Array.from({ length: 20 }, (_, i) => `item-${i}`);
    for (const item of items) await h.client.signal(handle, "add", [item]);
    expect(await h.client.result(handle, { timeoutSeconds: 10 })).toEqual(items);
    await h.stopWorker(worker);
  });

  it("keeps and reports a signal no handler takes", async () => {
    const worker = await h.startWorker({ workflows: [Approval] });
    const handle = await h.client.start(Approval, []);
    await h.client.signal(handle, "reject", ["bob"]);
    await waitFor(async () => (await h.client.describe(handle)).unhandledSignals.length === 1);
    const described = await h.client.describe(handle);
    expect(described.unhandledSignals[0]).toMatchObject({ signalName: "reject" });
    expect((await h.client.history(handle)).some((e) => e.type === "SignalReceived")).toBe(true);
    expect(described.status).toBe("running");
    await h.client.signal(handle, "approve", ["ada"]);
    expect(await h.client.result(handle, { timeoutSeconds: 10 })).toEqual(["ada"]);
    await h.stopWorker(worker);
  });
});
