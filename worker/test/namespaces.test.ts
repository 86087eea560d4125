// Namespaces at the engine: two workers serve the same task queue name and workflow type in two
// namespaces; every step of a run (its activities, fanned out or not, its timers, the workflow
// tasks they wake) stays with its own namespace's worker.
import { describe, expect, it } from "vitest";
import { Client, NamespaceNotFoundError, workflow, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import { useHarness } from "./support/harness.js";

@workflow.defn({ name: "ns-fanout" })
class Fanout {
  *run(ctx: WorkflowContext): WorkflowGenerator<string[]> {
    const first = yield* ctx.activity<string>("which", []);
    yield* ctx.sleep(1);
    const rest = yield* ctx.all([ctx.activity<string>("which", []), ctx.activity<string>("which", []), ctx.activity<string>("which", [])]);
    return [first, ...rest, ctx.info.workflowId];
  }
}

describe("namespaces", () => {
  const h = useHarness();

  it("runs each namespace's activities, timers and workflow tasks on its own workers only", async () => {
    await h.db.pool.query("select weft.create_namespace('team-b')");
    const teamB = new Client({ databaseUrl: h.db.url, namespace: "team-b" });
    try {
      const workers = [
        await h.startWorker({ workflows: [Fanout], activities: { which: () => "default" } }),
        await h.startWorker({ namespace: "team-b", workflows: [Fanout], activities: { which: () => "team-b" } }),
      ];
      const a = await h.client.start(Fanout, [], { workflowId: "same" });
      const b = await teamB.start(Fanout, [], { workflowId: "same" }); // one id, open in both
      await h.advanceClock(1);
      await expect(h.client.result(a)).resolves.toEqual(["default", "default", "default", "default", "same"]);
      await expect(teamB.result(b)).resolves.toEqual(["team-b", "team-b", "team-b", "team-b", "same"]);
      expect((await teamB.list()).runs.map((r) => r.runId)).toEqual([b.runId]);
      expect((await h.client.count()).count).toBe(1);
      for (const worker of workers) await h.stopWorker(worker);
    } finally {
      await teamB.close();
    }
  });

  it("refuses a namespace that does not exist with NamespaceNotFoundError", async () => {
    const nowhere = new Client({ databaseUrl: h.db.url, namespace: "nowhere" });
    try {
      await expect(nowhere.start("ns-fanout")).rejects.toThrow(NamespaceNotFoundError);
      await expect(nowhere.signal("x", "s")).rejects.toThrow(NamespaceNotFoundError);
    } finally {
      await nowhere.close();
    }
  });
});
