// A namespace's retention: workers delete its closed runs (and all their rows) once they are
// older than retentionDays; open runs and namespaces without retention keep everything.
import { describe, expect, it } from "vitest";
import { Client, workflow, WorkflowNotFoundError, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import { useHarness, waitFor } from "./support/harness.js";

@workflow.defn({ name: "kept" })
class Kept {
  *run(ctx: WorkflowContext, wait: boolean): WorkflowGenerator<string> {
    if (wait) yield* ctx.waitCondition(() => false);
    return yield* ctx.activity<string>("note", []);
  }
}

describe("retention", () => {
  const h = useHarness();

  it("deletes a namespace's closed runs past retentionDays, and nothing else", async () => {
    await h.db.pool.query("select weft.create_namespace('short', 1)");
    const short = new Client({ databaseUrl: h.db.url, namespace: "short" });
    try {
      const options = { workflows: [Kept], activities: { note: () => "noted" }, retentionSweepIntervalMs: 100 };
      const workers = [await h.startWorker({ ...options, namespace: "short" }), await h.startWorker(options)];
      const closed = await short.start(Kept, [false]);
      const open = await short.start(Kept, [true]);
      const untouched = await h.client.start(Kept, [false]); // namespace default: no retention
      await expect(short.result(closed)).resolves.toBe("noted");
      await expect(h.client.result(untouched)).resolves.toBe("noted");

      await h.advanceClock(2 * 86_400);
      await waitFor(async () => (await short.describe(closed).catch((error: unknown) => error)) instanceof WorkflowNotFoundError);
      const { rows } = await h.db.pool.query<{ n: number }>(
        `select (select count(*) from weft.history_events where run_id = $1)
              + (select count(*) from weft.activity_executions where run_id = $1)
              + (select count(*) from weft.inbox where run_id = $1) as n`,
        [closed.runId],
      );
      expect(Number(rows[0]!.n)).toBe(0);
      expect((await short.describe(open)).status).toBe("running");
      expect((await h.client.describe(untouched)).status).toBe("completed");
      for (const worker of workers) await h.stopWorker(worker);
    } finally {
      await short.close();
    }
  });
});
