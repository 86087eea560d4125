import { describe, expect, it } from "vitest";
import { ScheduleActivity, workflow, type WorkflowContext } from "@weft/sdk";
import { useHarness } from "./support/harness.js";

@workflow.defn({ name: "greet" })
class Greet {
  approved = false;
  @workflow.signal("approve")
  onApprove() {
    this.approved = true;
  }
  *run(ctx: WorkflowContext, name: string) {
    const greeting: string = yield new ScheduleActivity("hello", [name]);
    yield ctx.sleep(0.2);
    yield ctx.waitCondition(() => this.approved);
    return `${greeting}!`;
  }
}

describe("smoke", () => {
  const h = useHarness();
  it("runs a workflow with an activity, a timer and a signal", async () => {
    const worker = await h.startWorker({ workflows: [Greet], activities: { hello: (_ctx, name: string) => `hello ${name}` } });
    const handle = await h.client.start(Greet, ["ada"], { workflowId: "g1" });
    await h.client.signal(handle, "approve");
    expect(await h.client.result(handle, { timeoutSeconds: 10 })).toBe("hello ada!");
    const history = await h.client.history(handle);
    expect(history.map((e) => e.type)).toContain("TimerFired");
    await h.stopWorker(worker);
  });
});
