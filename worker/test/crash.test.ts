import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- plain JS module shared with the crash worker process
import { CrashChain, CrashParent, logAttempt } from "./support/crash-chain.mjs";
import { useHarness, waitFor } from "./support/harness.js";

const CRASH_WORKER = fileURLToPath(new URL("./support/crash-worker.mjs", import.meta.url));
const RUNS = 5;

function startCrashWorker(databaseUrl: string, mode: "activity" | "workflow-task" | "run-close"): { child: ChildProcess; exited: Promise<NodeJS.Signals | null> } {
  const child = fork(CRASH_WORKER, [databaseUrl, mode], { stdio: "inherit" });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  return { child, exited };
}

describe("crash safety (kill -9 of a worker)", () => {
  const h = useHarness();

  async function startSurvivor(pool: pg.Pool) {
    return h.startWorker({
      workflows: [CrashChain, CrashParent],
      activities: { step: async (ctx, n: number) => (await logAttempt(pool, ctx), n + 1) },
      heartbeatIntervalMs: 200,
      staleWorkerMs: 1000,
    });
  }

  async function recoverAndCheck(handles: { workflowId: string; runId: string }[]) {
    const pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
    const survivor = await startSurvivor(pool);
    for (const handle of handles) expect(await h.client.result(handle, { timeoutSeconds: 30 })).toBe(3);
    for (const handle of handles) {
      const completions = (await h.client.history(handle)).filter((e) => e.type === "ActivityCompleted");
      expect(completions.map((e) => e.attributes)).toMatchObject([
        { activityId: 1, result: 1 },
        { activityId: 2, result: 2 },
        { activityId: 3, result: 3 },
      ]);
    }
    await h.stopWorker(survivor);
    await pool.end();
  }

  /** The table the crash workers' activities log their attempts in, empty. */
  async function freshCrashLog() {
    await h.db.pool.query(
      "create table if not exists crash_log (run_id uuid, activity_id int, attempt int, pid int, hung boolean default false)",
    );
    await h.db.pool.query("truncate crash_log");
  }

  async function startRuns() {
    await freshCrashLog();
    return Promise.all(Array.from({ length: RUNS }, () => h.client.start(CrashChain, [0])));
  }

  it("finishes every workflow after a worker dies in the middle of an activity", async () => {
    const registered = await h.startWorker({ workflows: [CrashChain] }); // registers the type
    await h.stopWorker(registered);
    const handles = await startRuns();
    const { child, exited } = startCrashWorker(h.db.url, "activity");
    await waitFor(async () => (await h.db.pool.query("select 1 from crash_log where hung")).rowCount === 1);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    await recoverAndCheck(handles);
    const { rows } = await h.db.pool.query<{ run_id: string; activity_id: number }>(
      "select run_id, activity_id from crash_log where hung",
    );
    // The hung activity ran again (at-least-once) but its result counted once (checked above).
    const reruns = await h.db.pool.query("select count(*)::int as n from crash_log where run_id = $1 and activity_id = $2 and not hung", [
      rows[0]!.run_id,
      rows[0]!.activity_id,
    ]);
    expect(reruns.rows[0].n).toBeGreaterThanOrEqual(2);
  });

  it("finishes every workflow after a worker dies in the middle of a workflow task", async () => {
    const handles = await startRuns();
    const { exited } = startCrashWorker(h.db.url, "workflow-task");
    expect(await exited).toBe("SIGKILL");
    const { rows } = await h.db.pool.query("select count(*)::int as n from weft.history_events where run_id = any($1)", [
      handles.map((handle) => handle.runId),
    ]);
    expect(rows[0].n).toBe(0); // the killed task committed nothing
    await recoverAndCheck(handles);
  });

  it("finishes every parent after a worker dies as a child's closing task commits", async () => {
    await freshCrashLog();
    const parents = await Promise.all([1, 2].map(() => h.client.start(CrashParent, [])));
    const { exited } = startCrashWorker(h.db.url, "run-close");
    expect(await exited).toBe("SIGKILL");
    const pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
    const survivor = await startSurvivor(pool);
    for (const parent of parents) {
      expect(await h.client.result(parent, { timeoutSeconds: 30 })).toEqual([3, 3, 3]);
      const reported = (await h.client.history(parent)).filter((e) => e.type === "ChildWorkflowCompleted");
      expect(reported.map((e) => e.attributes.childId).sort()).toEqual([1, 2, 3]); // each child once
      const children = (await h.client.list({ parentRunId: parent.runId })).runs;
      expect(children.map((c) => c.status)).toEqual(["completed", "completed", "completed"]);
    }
    await h.stopWorker(survivor);
    await pool.end();
  });
});
