// An event a worker cannot decode (stored by an older release, or by hand) fails the run after
// weft.poison_task_attempts() (5) workflow tasks in a row, naming the event: before, every
// task failed on it forever and client.result() never returned. An event of a type the worker
// does not know (a newer release wrote it) keeps being retried, as a deploy can fix it.
import { describe, expect, it } from "vitest";
import { UndecodableEventError, workflow, WorkflowFailedError, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import { useHarness, waitFor } from "./support/harness.js";

@workflow.defn({ name: "poison-waits" })
class Waits {
  released = false;
  @workflow.signal("go")
  onGo() {
    this.released = true;
  }
  *run(ctx: WorkflowContext): WorkflowGenerator {
    yield ctx.waitCondition(() => this.released);
    return "released";
  }
}

describe("events that cannot be decoded", () => {
  const h = useHarness();

  async function run(runId: string): Promise<{ status: string; taskFailures: number; taskFailure: { message: string } | null }> {
    const { rows } = await h.db.pool.query(
      'select status, task_failures as "taskFailures", task_failure as "taskFailure" from weft.workflow_runs where run_id = $1',
      [runId],
    );
    return rows[0];
  }

  /** A run of Waits whose first task has run: it waits for its signal. */
  async function waitingRun() {
    const handle = await h.client.start(Waits, []);
    await waitFor(async () => (await h.client.history(handle)).length === 1); // WorkflowStarted, moved in by the task
    return handle;
  }

  /** Lets `tasks` workflow tasks of the run fail (or the run close), moving the clock past each backoff. */
  async function failTasks(runId: string, tasks: number): Promise<void> {
    for (let failed = 1; failed <= tasks; failed++) {
      await waitFor(async () => {
        const state = await run(runId);
        return state.status !== "running" || state.taskFailures >= failed;
      });
      if ((await run(runId)).status !== "running") return;
      await h.advanceClock(60);
    }
  }

  it("fails the run after 5 failed tasks when the inbox holds an event that does not decode", async () => {
    const worker = await h.startWorker({ workflows: [Waits] });
    const handle = await waitingRun();
    await h.db.pool.query(`select weft.add_to_inbox($1, 'SignalReceived', '{"signalName": null, "args": []}')`, [handle.runId]);
    await failTasks(handle.runId, 5);

    const error = await h.client.result(handle, { timeoutSeconds: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as Error & { type: string; nonRetryable: boolean };
    expect(cause.message).toMatch(
      /^its workflow task failed 5 times in a row: event 2 \(SignalReceived\) cannot be decoded: attributes\.signalName: .*expected string, received null$/,
    );
    expect(cause).toMatchObject({ type: "UndecodableEventError", nonRetryable: true });
    expect((await run(handle.runId)).taskFailures).toBe(5);
    expect((await h.client.history(handle)).at(-1)).toMatchObject({ eventId: 2, type: "WorkflowFailed" });
    await h.stopWorker(worker);
  });

  it("fails the run when its history holds such an event; client.history() names it", async () => {
    const worker = await h.startWorker({ workflows: [Waits] });
    const handle = await waitingRun();
    // As an older release could have stored it: a task of its own, then a signal that wakes the run.
    await h.db.pool.query(
      `with run as (
         update weft.workflow_runs set next_event_id = next_event_id + 1, last_task = last_task + 1
          where run_id = $1 returning run_id, next_event_id - 1 as event_id, last_task)
       insert into weft.history_events (run_id, event_id, task, type, attributes)
       select run_id, event_id, last_task, 'TimerFired', '{"timerId": 7}' from run`,
      [handle.runId],
    );
    await h.client.signal(handle, "go");
    await failTasks(handle.runId, 5);

    const error = await h.client.result(handle, { timeoutSeconds: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(((error as WorkflowFailedError).cause as Error).message).toMatch(/event 2 \(TimerFired\) cannot be decoded: attributes\.timerId: .*expected string/);
    const history = await h.client.history(handle).catch((e: unknown) => e);
    expect(history).toBeInstanceOf(UndecodableEventError);
    expect(history).toMatchObject({ eventId: 2, unknownType: false });
    await h.stopWorker(worker);
  });

  it("keeps retrying the task when the event's type is unknown here (a newer release wrote it)", async () => {
    const worker = await h.startWorker({ workflows: [Waits] });
    const handle = await waitingRun();
    await h.db.pool.query(`select weft.add_to_inbox($1, 'FromTheFuture', '{}')`, [handle.runId]);
    await failTasks(handle.runId, 6);
    await waitFor(async () => (await run(handle.runId)).taskFailures >= 6);

    const state = await run(handle.runId);
    expect(state.status).toBe("running");
    expect(state.taskFailure?.message).toBe("event 2 (FromTheFuture) is of a type this worker does not know; a newer weft may have written it");
    await h.stopWorker(worker);
  });
});
