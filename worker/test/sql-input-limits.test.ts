// The SQL door checks what callers pass by the README's limits: refused with WF006 (an
// InvalidArgumentError), nothing written. Before, a null signal name wedged its run for good
// and unchecked retry policies, names and reasons were stored as given.
import { beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, mapDatabaseError } from "@weft/sdk";
import { Approval } from "./support/workflows.js";
import { rowCounts, useHarness } from "./support/harness.js";

describe("the SQL functions refuse input past the limits", () => {
  const h = useHarness();

  async function expectRefused(sql: string, values: unknown[], message: RegExp) {
    const before = await rowCounts(h.db.pool);
    const error = await h.db.pool.query(sql, values).then(
      () => undefined,
      (e: unknown) => mapDatabaseError(e),
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(message);
    expect(await rowCounts(h.db.pool)).toEqual(before);
  }

  const start = (options: unknown, message: RegExp) =>
    expectRefused("select weft.start_workflow('approval', '[]', 'limits', 'default', null, $1::jsonb)", [JSON.stringify(options)], message);

  beforeAll(async () => {
    const worker = await h.startWorker({ workflows: [Approval] }); // registers "approval"
    await h.stopWorker(worker);
    await h.db.pool.query("select weft.start_workflow('approval', '[]', 'open-run')");
  });

  it("refuses a null, empty or over-long signal name, and over-long ids", async () => {
    const signal = "select weft.signal_workflow($1, $2, '[]')";
    await expectRefused(signal, ["open-run", null], /signal name must not be null/);
    await expectRefused(signal, ["open-run", ""], /signal name must not be empty/);
    await expectRefused(signal, ["open-run", "s".repeat(256)], /signal name is 256 characters, over the limit of 255/);
    await expectRefused(signal, ["w".repeat(10_000), "approve"], /workflow id is 10000 characters/);
    await expectRefused("select weft.start_workflow('approval', '[]', $1)", ["w".repeat(10_000)], /workflow id is 10000 characters/);
    await expectRefused("select weft.start_workflow('approval', '[]', null, $1)", ["q".repeat(256)], /task queue is 256 characters/);
  });

  it("refuses an over-long termination reason and leaves the run open", async () => {
    await expectRefused("select weft.terminate_workflow('open-run', $1)", ["r".repeat(4097)], /termination reason is 4097 characters/);
    const { rows } = await h.db.pool.query("select status from weft.workflow_runs where workflow_id = 'open-run'");
    expect(rows[0].status).toBe("running");
  });

  it("refuses search attributes past their counts and sizes", async () => {
    await start({ searchAttributes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }, /101 keys, over the limit of 100/);
    await start({ searchAttributes: { big: "x".repeat(3000) } }, /"big" is \d+ bytes as JSON, over the limit of 2048/);
    await start(
      { searchAttributes: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, "x".repeat(2000)])) },
      /over the limit of 40960/,
    );
    // A JavaScript object cannot hold it as a plain key: a client would drop it from a filter.
    await start({ searchAttributes: JSON.parse('{"__proto__": "x"}') }, /"__proto__" is not a name/);
  });

  it("refuses retry policies that a later retry could not use", async () => {
    for (const retryPolicy of [
      { maxAttempts: "abc" },
      { maxAttempts: 1.5 },
      { initialIntervalSeconds: 1e308 },
      { initialIntervalSeconds: -1 },
      { backoffCoefficient: 0.5 },
      { backoffSeconds: ["x"] },
      { backoffSeconds: [1, -2] },
      { nonRetryableErrorTypes: [1] },
      { maxAttemps: 3 },
    ]) {
      await start({ retryPolicy }, /^retry policy/);
    }
  });

  it("keeps a refused start in its own slot of a batch", async () => {
    const { rows } = await h.db.pool.query<{ answers: { runId?: string; error?: { code: string } }[] }>(
      "select weft.start_workflows($1::jsonb) as answers",
      [JSON.stringify([
        { workflowType: "approval", args: [], workflowId: "w".repeat(10_000) },
        { workflowType: "approval", args: [], workflowId: "batch-fine" },
      ])],
    );
    expect(rows[0]!.answers[0]).toMatchObject({ error: { code: "WF006" } });
    expect(rows[0]!.answers[1]).toHaveProperty("runId");
  });

  it("caps retry delays at ten years instead of overflowing", async () => {
    const policy = { maxAttempts: 0, initialIntervalSeconds: 1, backoffCoefficient: 100 };
    const { rows } = await h.db.pool.query("select weft.retry_delay_seconds(weft.retry_policy($1::jsonb), 1000) as s", [
      JSON.stringify(policy),
    ]);
    expect(rows[0].s).toBe(315_360_000);
  });
});
