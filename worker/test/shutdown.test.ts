import { describe, expect, it } from "vitest";
import { OneActivity } from "./support/workflows.js";
import { useHarness, waitFor } from "./support/harness.js";

describe("Worker.shutdown()", () => {
  const h = useHarness();

  it("lets in-flight activities finish and commit before stopping", async () => {
    let started = false;
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: {
        slow: async () => {
          started = true;
          await new Promise((resolve) => setTimeout(resolve, 500));
          return "finished";
        },
      },
    });
    const handle = await h.client.start(OneActivity, ["slow", []]);
    await waitFor(async () => started);
    await h.stopWorker(worker);
    const completed = (await h.client.history(handle)).find((e) => e.type === "ActivityCompleted");
    expect(completed?.attributes).toMatchObject({ result: "finished" });
    const { rows } = await h.db.pool.query("select count(*)::int as n from weft.workers");
    expect(rows[0].n).toBe(0); // deregistered

    const next = await h.startWorker({ workflows: [OneActivity] });
    expect(await h.client.result(handle, { timeoutSeconds: 10 })).toBe("finished");
    await h.stopWorker(next);
  });
});
