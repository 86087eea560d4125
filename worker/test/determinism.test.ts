import { describe, expect, it } from "vitest";
import { registerWorkflow, ScheduleActivity, type WorkflowContext } from "@weft/sdk";
import { useHarness, waitFor } from "./support/harness.js";

// Two deploys of one workflow type: v2 changed the order of its commands.
class CheckoutV1 {
  paid = false;
  onPaid() {
    this.paid = true;
  }
  *run(ctx: WorkflowContext) {
    const reserved: string = yield new ScheduleActivity("reserve", []);
    yield ctx.waitCondition(() => this.paid);
    const shipped: string = yield new ScheduleActivity("ship", []);
    return [reserved, shipped];
  }
}
class CheckoutV2 extends CheckoutV1 {
  override *run(ctx: WorkflowContext) {
    const shipped: string = yield new ScheduleActivity("ship", []);
    yield ctx.waitCondition(() => this.paid);
    const reserved: string = yield new ScheduleActivity("reserve", []);
    return [reserved, shipped];
  }
}
registerWorkflow(CheckoutV1, { name: "checkout", signals: { paid: "onPaid" } });
registerWorkflow(CheckoutV2, { name: "checkout", signals: { paid: "onPaid" } });

const activities = { reserve: () => "reserved", ship: () => "shipped" };

describe("determinism", () => {
  const h = useHarness();

  it("fails the workflow task, not the workflow, when replayed code changed; the original code then completes it", async () => {
    const v1 = await h.startWorker({ workflows: [CheckoutV1], activities });
    const handle = await h.client.start(CheckoutV1, [], { workflowId: "checkout-1" });
    await waitFor(async () => (await h.client.history(handle)).some((e) => e.type === "ActivityCompleted"));
    await waitFor(async () => (await h.client.describe(handle)).inboxLength === 0);
    await h.stopWorker(v1);
    const historyBefore = await h.client.history(handle);

    const v2 = await h.startWorker({ workflows: [CheckoutV2], activities });
    await h.client.signal(handle, "paid");
    await waitFor(async () => (await h.client.describe(handle)).lastWorkflowTaskFailure !== null);
    const described = await h.client.describe(handle);
    expect(described.status).toBe("running");
    expect(described.lastWorkflowTaskFailure?.type).toBe("NonDeterminismError");
    expect(described.lastWorkflowTaskFailure?.message).toMatch(
      /history has ActivityScheduled\(reserve, id 1\) at event 2, but the workflow code now yields ScheduleActivity\(ship, id 1\)/,
    );
    expect(await h.client.history(handle)).toEqual(historyBefore);
    expect(described.inboxLength).toBe(1); // the signal waits in the inbox
    await h.stopWorker(v2);

    const fixed = await h.startWorker({ workflows: [CheckoutV1], activities });
    expect(await h.client.result(handle, { timeoutSeconds: 15 })).toEqual(["reserved", "shipped"]);
    expect((await h.client.describe(handle)).lastWorkflowTaskFailure).toBeNull();
    await h.stopWorker(fixed);
  });
});
