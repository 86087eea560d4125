import { describe, expect, it } from "vitest";
import { connectSession, useHarness, waitUntilBlocked } from "./support/harness.js";

// A timer batch (worker/src/timers.ts) fires several timers in one transaction, each
// through weft.deliver. When two timers of one run come due together and the run is busy for
// the first, that event is queued: add_to_inbox creates the run's task_requests row and keeps
// the request lock in shared mode until the batch commits. The second timer then finds the run
// free and runs its workflow task inline, whose release_task_request wants the lock
// exclusively. An activity result that arrives meanwhile (run busy: add_to_inbox) holds the
// lock in shared mode and waits on the batch's uncommitted request row: a deadlock, which
// PostgreSQL breaks after deadlock_timeout by aborting one side (an activity then runs again,
// or the whole batch of timers is rolled back).
describe("inbox writers and a transaction that both queues and runs a run's task", () => {
  const h = useHarness();

  it("does not deadlock an activity result against a timer batch firing two timers of one run", async () => {
    await h.db.pool.query("select weft.register_workflow_types('q', array['t'])");
    const { rows } = await h.db.pool.query<{ r: string }>("select weft.start_workflow('t', '[]', 'deadlock-1', 'q') as r");
    const runId = rows[0]!.r;
    const [{ client: task }, { client: batch, pid: batchPid }, { client: activity, pid: activityPid }] = await Promise.all([
      connectSession(h.db.url),
      connectSession(h.db.url),
      connectSession(h.db.url),
    ]);
    try {
      // A workflow task holds the run while the batch fires its first timer: queued.
      await task.query("begin");
      const claimed = await task.query<{ t: { task: number } }>("select weft.claim_workflow_task($1) as t", [runId]);
      await batch.query("begin");
      const first = await batch.query(`select weft.deliver($1, 'TimerFired', '{"timerId":"t1"}', 'q', 0) as a`, [runId]);
      expect(first.rows[0].a).toEqual({ queued: true });
      await task.query("select weft.complete_workflow_task($1, $2, '[]')", [runId, claimed.rows[0]!.t.task]);
      await task.query("commit");

      // The second timer runs the run's task inline, in the same transaction.
      const second = await batch.query<{ a: { claim: { task: number } } }>(
        `select weft.deliver($1, 'TimerFired', '{"timerId":"t2"}', 'q', 0) as a`,
        [runId],
      );
      // An activity result arrives while the batch holds the run.
      await activity.query("begin");
      const result = activity
        .query(`select weft.deliver($1, 'ActivityCompleted', '{"activityId":1,"result":1,"attempt":1}', 'q', 0)`, [runId])
        .then(() => null, (error: { code?: string }) => error.code ?? "error");
      // The deadlock needs the result to be waiting on the batch's request row before the batch
      // releases its request; completing any earlier would pass without the fix.
      await waitUntilBlocked(h.db.pool, activityPid, batchPid);
      const completed = batch
        .query("select weft.complete_workflow_task($1, $2, '[]')", [runId, second.rows[0]!.a.claim.task])
        .then(() => null, (error: { code?: string }) => error.code ?? "error");

      expect(await completed).toBeNull(); // before the fix: 40P01 on one of the two
      await batch.query("commit");
      expect(await result).toBeNull();
      await activity.query("commit");

      // And the result is not lost: it waits in the inbox with a request (and its job).
      const state = await h.db.pool.query(
        `select (select count(*)::int from weft.inbox where run_id = $1) as inbox,
                (select count(*)::int from weft.task_requests where run_id = $1) as requests`,
        [runId],
      );
      expect(state.rows[0]).toEqual({ inbox: 1, requests: 1 });
    } finally {
      await Promise.all([task, batch, activity].map((c) => c.end()));
    }
  });
});
