import { describe, expect, it } from "vitest";
import { ActivityFailure, TimeoutFailure, WorkflowFailedError } from "@weft/sdk";
import { OneActivity } from "./support/workflows.js";
import { useHarness, waitFor } from "./support/harness.js";

const fast = { initialIntervalSeconds: 0.01, backoffCoefficient: 1 };

async function failureOf(promise: Promise<unknown>): Promise<ActivityFailure> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ActivityFailure);
  return cause as ActivityFailure;
}

describe("activity timeouts", () => {
  const h = useHarness();

  it("start-to-close times out the attempt, aborts its signal, and retries", async () => {
    const aborted: boolean[] = [];
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: {
        slow: async (ctx) => {
          if (ctx.attempt === 1) {
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
            aborted.push(ctx.signal.aborted);
            return "too late"; // a stale attempt's result is dropped
          }
          return `attempt ${ctx.attempt}`;
        },
      },
    });
    const handle = await h.client.start(OneActivity, ["slow", [], { startToCloseTimeoutSeconds: 0.3, retryPolicy: fast }]);
    expect(await h.client.result(handle, { timeoutSeconds: 15 })).toBe("attempt 2");
    expect(aborted).toEqual([true]);
    await h.stopWorker(worker);
  });

  it("runs an activity whose timeouts are past setTimeout's 24.8 days to completion", async () => {
    // Such timeouts once overflowed int columns (the workflow task failed forever) and fired
    // the local abort at once.
    const month = 30 * 86_400;
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: { patient: async (ctx) => (await new Promise((resolve) => setTimeout(resolve, 300)), ctx.signal.aborted) },
    });
    const options = { startToCloseTimeoutSeconds: month, heartbeatTimeoutSeconds: month, scheduleToCloseTimeoutSeconds: 2 * month };
    const handle = await h.client.start(OneActivity, ["patient", [], options]);
    expect(await h.client.result(handle, { timeoutSeconds: 15 })).toBe(false);
    await h.stopWorker(worker);
  });

  it("fails with a TimeoutFailure when every attempt times out", async () => {
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: { hang: (ctx) => new Promise((resolve) => ctx.signal.addEventListener("abort", resolve)) },
    });
    const handle = await h.client.start(OneActivity, [
      "hang",
      [],
      { startToCloseTimeoutSeconds: 0.2, retryPolicy: { ...fast, maxAttempts: 2 } },
    ]);
    const failure = await failureOf(h.client.result(handle, { timeoutSeconds: 15 }));
    expect(failure.attempt).toBe(2);
    expect(failure.cause).toBeInstanceOf(TimeoutFailure);
    expect((failure.cause as TimeoutFailure).timeoutType).toBe("startToClose");
    await h.stopWorker(worker);
  });

  it("heartbeat timeout retries, and the next attempt sees the last heartbeat's details", async () => {
    const seen: unknown[] = [];
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: {
        progress: async (ctx) => {
          seen.push(ctx.lastHeartbeatDetails);
          if (ctx.attempt === 1) {
            ctx.heartbeat({ done: 7 });
            await new Promise((resolve) => setTimeout(resolve, 100));
            ctx.heartbeat({ done: 8 });
            // then goes silent
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
            return "stale";
          }
          return "resumed";
        },
      },
    });
    const handle = await h.client.start(OneActivity, ["progress", [], { heartbeatTimeoutSeconds: 0.4, retryPolicy: fast }]);
    expect(await h.client.result(handle, { timeoutSeconds: 15 })).toBe("resumed");
    expect(seen).toEqual([undefined, { done: 8 }]);
    await h.stopWorker(worker);
  });

  it("schedule-to-start fails the activity when no worker picks it up in time", async () => {
    const worker = await h.startWorker({ workflows: [OneActivity] });
    const handle = await h.client.start(OneActivity, ["nobody", [], { taskQueue: "unserved", scheduleToStartTimeoutSeconds: 60 }]);
    await waitFor(async () => (await h.client.describe(handle)).pendingActivities.length === 1);
    await h.advanceClock(60);
    const failure = await failureOf(h.client.result(handle, { timeoutSeconds: 15 }));
    expect((failure.cause as TimeoutFailure).timeoutType).toBe("scheduleToStart");
    expect(failure.attempt).toBe(1);
    await h.stopWorker(worker);
  });

  it("schedule-to-close fails the activity across retries", async () => {
    let attempts = 0;
    const worker = await h.startWorker({
      workflows: [OneActivity],
      activities: {
        neverWorks: () => {
          attempts++;
          throw new Error("nope");
        },
      },
    });
    const handle = await h.client.start(OneActivity, [
      "neverWorks",
      [],
      { scheduleToCloseTimeoutSeconds: 60, retryPolicy: { initialIntervalSeconds: 0.1, backoffCoefficient: 1, maxAttempts: 0 } },
    ]);
    await waitFor(async () => attempts > 1);
    await h.advanceClock(60);
    const failure = await failureOf(h.client.result(handle, { timeoutSeconds: 15 }));
    expect((failure.cause as TimeoutFailure).timeoutType).toBe("scheduleToClose");
    expect(attempts).toBeGreaterThan(1);
    await h.stopWorker(worker);
  });
});
