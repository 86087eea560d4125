// A failure PostgreSQL cannot store as thrown (a NUL byte, a lone surrogate, details that are
// not JSON) is still recorded: once, it made weft.fail_activity raise, and graphile-worker then
// re-ran the activity at attempt 1 again and again while the run hung.
import { describe, expect, it } from "vitest";
import { ActivityFailure, ApplicationFailure, workflow, WorkflowFailedError, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import { OneActivity } from "./support/workflows.js";
import { useHarness } from "./support/harness.js";

@workflow.defn({ name: "fails-with-nul" })
class FailsWithNul {
  *run(_ctx: WorkflowContext): WorkflowGenerator {
    throw new Error("a NUL \u0000 here");
  }
}

describe("failures that cannot be stored as thrown", () => {
  const h = useHarness();

  it("an activity's failure with a NUL, a lone surrogate, circular details or a cause cycle retries by its policy", async () => {
    const attempts: number[] = [];
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const looped = new Error("looped");
    looped.cause = looped;
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: {
        garbled: (ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt === 1) throw new Error("a NUL \u0000 here");
          if (ctx.attempt === 2) throw new Error("a lone \ud800 surrogate");
          throw new ApplicationFailure("circular details", { type: "Garbled", details: [circular], cause: looped });
        },
      },
    });
    const handle = await h.client.start(OneActivity, [
      "garbled",
      [],
      { retryPolicy: { initialIntervalSeconds: 0.001, backoffCoefficient: 1, maxAttempts: 3 } },
    ]);
    const error = await h.client.result(handle, { timeoutSeconds: 20 }).catch((e: unknown) => e);
    expect(attempts).toEqual([1, 2, 3]);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ActivityFailure;
    expect(failure).toBeInstanceOf(ActivityFailure);
    expect(failure.attempt).toBe(3);
    expect(failure.cause.type).toBe("Garbled");
    expect(failure.cause.message).toBe("circular details (its details were dropped: details[0].self is a circular reference)");
    expect((failure.cause.cause as Error | undefined)?.message).toBe("looped");
    const failed = (await h.client.history(handle)).find((e) => e.type === "ActivityFailed");
    expect(failed).toBeDefined();
    await h.stopWorker(worker);
  });

  it("a workflow's failure with a NUL fails the run (its task once failed on it forever)", async () => {
    const worker = await h.startWorker({ workflows: [FailsWithNul] });
    const handle = await h.client.start(FailsWithNul, []);
    const error = await h.client.result(handle, { timeoutSeconds: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toMatchObject({ message: "a NUL \ufffd here" });
    await h.stopWorker(worker);
  });
});
