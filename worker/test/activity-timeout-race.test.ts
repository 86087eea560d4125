import { describe, expect, it } from "vitest";
import { connectSession, useHarness, waitUntilBlocked } from "./support/harness.js";

describe("a schedule-to-close timeout racing an attempt's failure", () => {
  const h = useHarness();

  it("fails the activity for good instead of finding the timeout stale", async () => {
    const db = h.db.pool;
    await db.query("select weft.register_workflow_types('q', array['t'])");
    const runId = (await db.query<{ r: string }>("select weft.start_workflow('t', '[]', 'race-1', 'q') as r")).rows[0]!.r;
    const task = (await db.query<{ t: { task: number } }>("select weft.claim_workflow_task($1) as t", [runId])).rows[0]!.t.task;
    const schedule = {
      kind: "ScheduleActivity", activityId: 1, activityType: "flaky", args: [], queue: "q",
      retryPolicy: { maxAttempts: 0, initialIntervalSeconds: 0.1, backoffCoefficient: 1, maximumIntervalSeconds: null, nonRetryableErrorTypes: [], backoffSeconds: null },
      startToCloseMs: null, scheduleToStartMs: null, scheduleToCloseMs: 800, heartbeatMs: null,
    };
    await db.query("select weft.complete_workflow_task($1, $2, $3::jsonb)", [runId, task, JSON.stringify([schedule])]);

    // Attempt 1 fails (and will be retried) in a transaction still open when the timeout fires.
    const [{ client: attempt, pid: attemptPid }, { client: timer, pid: timerPid }] = await Promise.all([
      connectSession(h.db.url),
      connectSession(h.db.url),
    ]);
    try {
      await attempt.query("begin");
      const failed = await attempt.query<{ r: string }>(
        `select weft.fail_activity($1, 1, 1, '{"name":"ApplicationFailure","type":"Error","message":"nope"}') as r`,
        [runId],
      );
      expect(failed.rows[0]!.r).toBe("retry");
      const timeout = timer.query<{ r: string }>("select weft.timeout_activity($1, 1, 1, 'scheduleToClose') as r", [runId]);
      // The race is lost only if the timeout read the activity before the failure committed:
      // commit once it waits on the attempt's row lock, having read whatever it reads unlocked.
      await waitUntilBlocked(db, timerPid, attemptPid);
      await attempt.query("commit");
      expect((await timeout).rows[0]!.r).toBe("failed");
    } finally {
      await Promise.all([attempt.end(), timer.end()]);
    }
    const { rows } = await db.query("select status, attempt from weft.activity_executions where run_id = $1", [runId]);
    expect(rows[0]).toEqual({ status: "failed", attempt: 2 });
  });
});
