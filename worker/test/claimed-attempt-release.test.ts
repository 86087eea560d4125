import { describe, expect, it } from "vitest";
import { armFaultPoint } from "@weft/worker/testing";
import { OneActivity } from "./support/workflows.js";
import { useHarness } from "./support/harness.js";

describe("an eagerly claimed activity attempt", () => {
  const h = useHarness();

  it("goes to the job queue when its completion fails for want of the database, and its result counts once", async () => {
    // The attempt was claimed by the workflow task (no job of its own) and its worker stays
    // alive, so only weft.release_claims can get it run again.
    let lostConnections = 0;
    armFaultPoint("activity:before-complete", () => {
      if (lostConnections++ === 0) throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "57P01" });
    });
    const runs: number[] = [];
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: { echo: (ctx, value: string) => (runs.push(ctx.attempt), value) },
    });
    const handle = await h.client.start(OneActivity, ["echo", ["hi"]]);
    expect(await h.client.result(handle, { timeoutSeconds: 15 })).toBe("hi");
    expect(runs).toEqual([1, 1]); // the same attempt, run again from the job queue
    const completions = (await h.client.history(handle)).filter((e) => e.type === "ActivityCompleted");
    expect(completions).toHaveLength(1);
    armFaultPoint("activity:before-complete", () => {});
    await h.stopWorker(worker);
  });
});
