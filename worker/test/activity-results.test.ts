// An activity result the database would refuse (NUL, a lone surrogate, over the size limit as
// jsonb measures it) fails the activity at once, without retrying: before, the worker let it
// through, weft.complete_activity refused it, and the job re-ran the activity again and again.
import { describe, expect, it } from "vitest";
import { ActivityFailure, WorkflowFailedError } from "@weft/sdk";
import { MAX_PAYLOAD_BYTES } from "@weft/sdk/internal";
import { OneActivity } from "./support/workflows.js";
import { useHarness } from "./support/harness.js";

describe("activity results", () => {
  const h = useHarness();

  it("fails an activity whose result the database cannot store, once, with a PayloadError", async () => {
    const calls: string[] = [];
    // Compact JSON under the limit, jsonb text (", " between items) over it.
    const items = Math.ceil(MAX_PAYLOAD_BYTES / 3);
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: {
        nul: () => (calls.push("nul"), "a\0b"),
        surrogate: () => (calls.push("surrogate"), "\ud800"),
        spaced: () => (calls.push("spaced"), Array.from({ length: items }, () => 1)),
      },
    });
    for (const type of ["nul", "surrogate", "spaced"]) {
      const handle = await h.client.start(OneActivity, [type, [], { retryPolicy: { maxAttempts: 5, initialIntervalSeconds: 0.01 } }]);
      const error = await h.client.result(handle, { timeoutSeconds: 15 }).catch((e: unknown) => e);
      expect(error, type).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause as ActivityFailure;
      expect(cause, type).toBeInstanceOf(ActivityFailure);
      expect(cause.cause, type).toMatchObject({ type: "PayloadError" });
    }
    expect(calls).toEqual(["nul", "surrogate", "spaced"]);
    await h.stopWorker(worker);
  });
});
