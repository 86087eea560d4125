import { describe, expect, it } from "vitest";
import { ScheduleActivity, workflow, type WorkflowContext } from "@weft/sdk";
import { OneActivity } from "./support/workflows.js";
import { useHarness, waitFor } from "./support/harness.js";

@workflow.defn({ name: "busy" })
class Busy {
  *run(ctx: WorkflowContext) {
    yield [new ScheduleActivity("failsTwice", []), ctx.sleep(3600)];
  }
}

@workflow.defn({ name: "broken-yield" })
class BrokenYield {
  *run() {
    yield Promise.resolve(1) as never;
  }
}

describe("describe() and errors recorded on runs", () => {
  const h = useHarness();

  it("shows pending activities with their attempt and last failure, and pending timers", async () => {
    const worker = await h.startWorker({
      workflows: [Busy],
      activities: {
        failsTwice: () => {
          throw new Error("payment service down");
        },
      },
    });
    const handle = await h.client.start(Busy, []);
    // default policy: 1 s, then 2 s between attempts; look during the second wait
    await waitFor(async () => (await h.client.describe(handle)).pendingActivities[0]?.attempt === 2);
    await h.advanceClock(1);
    await waitFor(async () => (await h.client.describe(handle)).pendingActivities[0]?.attempt === 3);
    const described = await h.client.describe(handle);
    expect(described.status).toBe("running");
    expect(described.pendingActivities).toHaveLength(1);
    expect(described.pendingActivities[0]).toMatchObject({
      activityType: "failsTwice",
      attempt: 3,
      lastFailure: { message: "payment service down", type: "Error" },
    });
    expect(described.pendingTimers).toEqual([{ timerId: "t1", fireAt: expect.any(String) }]);
    await h.stopWorker(worker);
  });

  it("records an unknown activity type as a clear activity failure", async () => {
    const worker = await h.startWorker({ workflows: [OneActivity] });
    const handle = await h.client.start(OneActivity, ["notThere", [], { retryPolicy: { maxAttempts: 1 } }]);
    const error = await h.client.result(handle, { timeoutSeconds: 10 }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/activity type "notThere" is not registered/);
    await h.stopWorker(worker);
  });

  it("records a workflow type this worker lacks as a workflow task failure, and leaves other runs alone", async () => {
    const withBoth = await h.startWorker({ workflows: [OneActivity, Busy] });
    await h.stopWorker(withBoth);
    const worker = await h.startWorker({ workflows: [OneActivity], activities: { echo: (_ctx, x: unknown) => x } });
    const orphan = await h.client.start(Busy, []);
    const fine = await h.client.start(OneActivity, ["echo", ["ok"]]);
    expect(await h.client.result(fine, { timeoutSeconds: 10 })).toBe("ok");
    await waitFor(async () => (await h.client.describe(orphan)).lastWorkflowTaskFailure !== null);
    const described = await h.client.describe(orphan);
    expect(described.status).toBe("running");
    expect(described.lastWorkflowTaskFailure?.message).toMatch(/workflow type "busy" is not registered in this worker/);
    await h.stopWorker(worker);
  });

  it("records a workflow that yields something that is not a command as a workflow task failure", async () => {
    const worker = await h.startWorker({ workflows: [BrokenYield] });
    const handle = await h.client.start(BrokenYield, []);
    await waitFor(async () => (await h.client.describe(handle)).lastWorkflowTaskFailure !== null);
    const described = await h.client.describe(handle);
    expect(described.lastWorkflowTaskFailure?.message).toMatch(/yielded an object of class Promise, which is not a weft command/);
    expect(described.status).toBe("running");
    await h.stopWorker(worker);
  });
});
