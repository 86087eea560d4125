// Runs and activities weft 0.1 left with retry policies the checked functions now refuse
// (unknown fields, a fractional maxAttempts, strings in backoffSeconds) keep working after the
// upgrade: migration 000005 rewrites them. Before, the run's retry and its continue-as-new
// failed their workflow task forever, and the activity's failure could not be recorded.
import { describe, expect, it } from "vitest";
import {
  ActivityFailure,
  ContinueAsNew,
  ScheduleActivity,
  workflow,
  WorkflowFailedError,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import { migrate } from "@weft/sql";
import { useHarness, waitFor } from "./support/harness.js";
import { installReleasedSchema } from "./support/released-schema.js";

@workflow.defn({ name: "legacy-fails" })
class LegacyFails {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    throw new Error(`attempt ${ctx.info.attempt} failed`);
  }
}

@workflow.defn({ name: "legacy-continues" })
class LegacyContinues {
  *run(_ctx: WorkflowContext, round: number): WorkflowGenerator {
    if (round === 1) return new ContinueAsNew([2]);
    return `round ${round}`;
  }
}

@workflow.defn({ name: "legacy-activity" })
class LegacyActivity {
  *run(): WorkflowGenerator {
    return yield* new ScheduleActivity("flaky", [], { taskQueue: "later" });
  }
}

describe("retry policies stored by weft 0.1", () => {
  const h = useHarness();

  it("are rewritten by the upgrade so that retries, continue-as-new and activity retries work", async () => {
    await installReleasedSchema(h.db.pool, h.db.url);
    const before = await h.startWorker({ workflows: [LegacyFails, LegacyContinues, LegacyActivity] });
    const activity = await h.client.start(LegacyActivity, []);
    // From the table: 0.1 had no read functions, and today's Client uses them.
    await waitFor(async () => {
      const { rows } = await h.db.pool.query("select 1 from weft.activity_executions where run_id = $1 and status = 'scheduled'", [activity.runId]);
      return rows.length === 1;
    });
    await h.stopWorker(before);
    const fails = await h.client.start(LegacyFails, []);
    const continues = await h.client.start(LegacyContinues, [1]);
    // As 0.1 stored them: the caller's fields over the defaults, unchecked.
    await h.db.pool.query(
      `update weft.workflow_runs set retry_policy = $2 where run_id = $1`,
      [fails.runId, { maxAttempts: 1.5, initialIntervalSeconds: 0.001, backoffCoefficient: 1, maximumIntervalSeconds: null, nonRetryableErrorTypes: [], backoffSeconds: null }],
    );
    await h.db.pool.query(
      `update weft.workflow_runs set retry_policy = $2 where run_id = $1`,
      [continues.runId, { maxAttempts: 3, initialIntervalSeconds: 1, backoffCoefficient: 2, nonRetryableErrorTypes: [], priority: "high" }],
    );
    await h.db.pool.query(
      `update weft.activity_executions set retry_policy = $2 where run_id = $1`,
      [activity.runId, { maxAttempts: 2.5, initialIntervalSeconds: 0.001, backoffCoefficient: "2", backoffSeconds: ["x"] }],
    );

    await migrate(h.db.url);
    const attempts: number[] = [];
    const workers = [
      await h.startWorker({ workflows: [LegacyFails, LegacyContinues, LegacyActivity] }),
      await h.startWorker({
        taskQueue: "later",
        activities: {
          flaky: (ctx) => {
            attempts.push(ctx.attempt);
            throw new Error(`attempt ${ctx.attempt} failed`);
          },
        },
      }),
    ];

    const failed = await h.client.result(fails, { timeoutSeconds: 20 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    expect(((failed as WorkflowFailedError).cause as Error).message).toBe("attempt 2 failed"); // 1.5 attempts: two
    expect(await h.client.result(continues, { timeoutSeconds: 20 })).toBe("round 2");
    const activityFailed = await h.client.result(activity, { timeoutSeconds: 20 }).catch((e: unknown) => e);
    expect((activityFailed as WorkflowFailedError).cause).toBeInstanceOf(ActivityFailure);
    expect(attempts).toEqual([1, 2, 3]); // 2.5 attempts: three, by the default backoff

    const { rows } = await h.db.pool.query(
      "select retry_policy from weft.workflow_runs where run_id = $1 union all select retry_policy from weft.activity_executions where run_id = $2",
      [continues.runId, activity.runId],
    );
    expect(rows.map((row) => row.retry_policy)).toEqual([
      { maxAttempts: 3, initialIntervalSeconds: 1, backoffCoefficient: 2, maximumIntervalSeconds: null, nonRetryableErrorTypes: [], backoffSeconds: null },
      { maxAttempts: 3, initialIntervalSeconds: 0.001, backoffCoefficient: 2, maximumIntervalSeconds: null, nonRetryableErrorTypes: [], backoffSeconds: null },
    ]);
    for (const worker of workers) await h.stopWorker(worker);
  });
});
