import { describe, expect, it } from "vitest";
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from "@weft/sdk";
import { OneActivity } from "./support/workflows.js";
import { useHarness } from "./support/harness.js";

describe("activity retries", () => {
  const h = useHarness();

  it("retries per the policy and fails the workflow with the last attempt's error", async () => {
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: {
        flaky: (ctx) => {
          throw new Error(`attempt ${ctx.attempt} failed`);
        },
      },
    });
    const handle = await h.client.start(OneActivity, [
      "flaky",
      [],
      { retryPolicy: { initialIntervalSeconds: 0.001, backoffCoefficient: 1, maxAttempts: 5 } },
    ]);
    const error = await h.client.result(handle, { timeoutSeconds: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause;
    expect(failure).toBeInstanceOf(ActivityFailure);
    expect((failure as ActivityFailure).attempt).toBe(5);
    expect((failure as ActivityFailure).cause.message).toBe("attempt 5 failed");
    expect((failure as ActivityFailure).cause.type).toBe("Error");
    await h.stopWorker(worker);
  });

  it("stops at the first attempt for a non-retryable error type", async () => {
    let attempts = 0;
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: {
        declined: () => {
          attempts++;
          throw new ApplicationFailure("card declined", { type: "CardDeclined", details: { code: 51 } });
        },
      },
    });
    const handle = await h.client.start(OneActivity, [
      "declined",
      [],
      { retryPolicy: { initialIntervalSeconds: 0.001, nonRetryableErrorTypes: ["CardDeclined"] } },
    ]);
    const error = (await h.client.result(handle, { timeoutSeconds: 20 }).catch((e: unknown) => e)) as WorkflowFailedError;
    const failure = error.cause as ActivityFailure;
    expect(failure.attempt).toBe(1);
    expect(failure.cause.type).toBe("CardDeclined");
    expect(failure.cause.details).toEqual({ code: 51 });
    expect(attempts).toBe(1);
    await h.stopWorker(worker);
  });

  it("waits between attempts as the policy says", async () => {
    const startedAt: number[] = [];
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: {
        slowToSucceed: (ctx) => {
          startedAt.push(Date.now());
          if (ctx.attempt < 4) throw new Error("not yet");
          return "ok";
        },
      },
    });
    // Waits: 0.2 s, then 0.4 s, then capped at 0.5 s.
    const handle = await h.client.start(OneActivity, [
      "slowToSucceed",
      [],
      { retryPolicy: { initialIntervalSeconds: 0.2, backoffCoefficient: 2, maximumIntervalSeconds: 0.5, maxAttempts: 4 } },
    ]);
    expect(await h.client.result(handle, { timeoutSeconds: 20 })).toBe("ok");
    const gaps = startedAt.slice(1).map((t, i) => t - startedAt[i]!);
    expect(gaps).toHaveLength(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(190);
    expect(gaps[1]).toBeGreaterThanOrEqual(390);
    expect(gaps[2]).toBeGreaterThanOrEqual(490);
    // ...and capped at 0.5 s rather than 0.8 s (checked on the database's arithmetic, not a clock)
    const { rows } = await h.db.pool.query<{ d: number }>(
      `select weft.retry_delay_seconds('{"initialIntervalSeconds":0.2,"backoffCoefficient":2,"maximumIntervalSeconds":0.5}', 3) as d`,
    );
    expect(rows[0]!.d).toBe(0.5);
    await h.stopWorker(worker);
  });

  it("follows an explicit backoff list", async () => {
    const { rows } = await h.db.pool.query<{ d: number }>(
      `select weft.retry_delay_seconds('{"backoffSeconds":[1,5,30],"initialIntervalSeconds":9,"backoffCoefficient":9}', n) as d
         from generate_series(1, 4) n order by n`,
    );
    expect(rows.map((r) => r.d)).toEqual([1, 5, 30, 30]);
  });
});
