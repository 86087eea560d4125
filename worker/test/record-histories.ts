// Records the saved histories that sdk/test/saved-histories.test.ts replays on every run: each
// fixture workflow (sdk/test/fixtures/workflows.ts) runs on real workers against PostgreSQL,
// driven step by step, and its history (client.history) is normalised and written to
// sdk/test/fixtures/histories/<name>.json. Run with `pnpm record-histories` (a scratch
// database on DATABASE_URL's server, or on the embedded PostgreSQL when it is unset).
// Not part of `pnpm test`; see sdk/test/fixtures/histories/README.md for when to record.
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ApplicationFailure, workflow, WorkflowFailedError, type HistoryEvent, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import type { WorkerOptions } from "@weft/worker";
import { HISTORIES, type SavedHistory } from "../../sdk/test/fixtures/saved-history.js";
import { ApprovalWorkflow, OrderWorkflow, PaymentRetryWorkflow, ShipmentBatchWorkflow } from "../../sdk/test/fixtures/workflows.js";
import { normaliseHistory } from "./support/normalise-history.js";
import { useHarness, waitFor } from "./support/harness.js";

/** The child that shipment-batch starts: "…-2" never ships (a failure the parent catches). */
@workflow.defn({ name: "shipment" })
class Shipment {
  *run(_ctx: WorkflowContext, ref: string): WorkflowGenerator<string> {
    if (ref.endsWith("-2")) throw new ApplicationFailure("address unknown", { type: "BadAddress" });
    return `label-${ref.slice(-1)}`;
  }
}

type Ref = { workflowId: string; runId: string };

describe("record saved histories", () => {
  const h = useHarness();
  // Steps follow each other at once: timers and timeouts are reached by moving database time.
  const start = (options: Omit<WorkerOptions, "databaseUrl">) => h.startWorker({ pollIntervalMs: 100, ...options });

  async function waitForEvent(ref: Ref, match: (event: HistoryEvent) => boolean): Promise<void> {
    await waitFor(async () => (await h.client.history(ref)).some(match));
  }

  /** Moves database time to the timer's due time exactly, and waits for it to fire. */
  async function fireTimer(ref: Ref, timerId: string): Promise<void> {
    await waitForEvent(ref, (e) => e.type === "TimerStarted" && e.attributes.timerId === timerId);
    const { rows } = await h.db.pool.query<{ ms: number }>(
      "select ceil(extract(epoch from due_at - now()) * 1000)::int as ms from weft.timers where run_id = $1 and timer_id = $2",
      [ref.runId, timerId],
    );
    const ms = rows[0]?.ms ?? 0; // no row: it fired on its own, and save() refuses a history out of order
    if (ms > 0) await h.advanceClock(ms / 1000);
    await waitForEvent(ref, (e) => e.type === "TimerFired" && e.attributes.timerId === timerId);
  }

  /** Moves database time to the start-to-close deadline of the run's started attempt exactly. */
  async function reachStartToClose(ref: Ref): Promise<void> {
    let ms = 0;
    await waitFor(async () => {
      const { rows } = await h.db.pool.query<{ ms: number }>(
        `select ceil(extract(epoch from started_at + make_interval(secs => start_to_close_ms / 1000.0) - weft.now()) * 1000)::int as ms
           from weft.activity_executions where run_id = $1 and status = 'started'`,
        [ref.runId],
      );
      ms = rows[0]?.ms ?? 0;
      return rows.length === 1;
    });
    if (ms > 0) await h.advanceClock(ms / 1000);
  }

  /** Checks the run's tasks are the scenario's (each task: its event types), then saves it. */
  async function save(file: string, workflowName: string, ref: Ref, tasks: string[]): Promise<void> {
    const history = await h.client.history(ref);
    const byTask = new Map<number, string[]>();
    for (const event of history) byTask.set(event.task, [...(byTask.get(event.task) ?? []), event.type]);
    expect([...byTask.values()].map((types) => types.join(" "))).toEqual(tasks);
    const saved: SavedHistory = { workflow: workflowName, history: normaliseHistory(history, ref.runId) };
    writeFileSync(new URL(file, HISTORIES), `${JSON.stringify(saved, null, 2)}\n`);
  }

  it("order-completed.json", async () => {
    let emailed!: () => void;
    const emailSeen = new Promise<void>((resolve) => (emailed = resolve));
    const orders = await start({
      taskQueue: "orders",
      workflows: [OrderWorkflow],
      activities: {
        "reserve-stock": () => "res-77",
        // Attempt 1 fails only once the e-mail's result is in, so the results arrive in this order.
        "print-label": async (ctx) => {
          if (ctx.attempt > 1) return "label-1";
          await emailSeen;
          throw new Error("printer jammed");
        },
      },
    });
    const mail = await start({ taskQueue: "mail", activities: { "email-customer": () => null } });
    const ref = await h.client.start(OrderWorkflow, ["o-1001"], { workflowId: "order-o-1001", taskQueue: "orders" });
    await waitForEvent(ref, (e) => e.type === "TimerStarted");
    await h.client.signal(ref, "payment-confirmed", ["pay-5"]); // handled while the timer runs
    await waitForEvent(ref, (e) => e.type === "SignalReceived");
    await fireTimer(ref, "t1");
    await waitForEvent(ref, (e) => e.type === "ActivityCompleted" && e.attributes.activityId === 3);
    emailed(); // print-label fails, and its second attempt comes after the 1 s backoff
    await h.client.result(ref, { timeoutSeconds: 20 });
    await save("order-completed.json", "order", ref, [
      "WorkflowStarted MarkerRecorded ActivityScheduled",
      "ActivityCompleted TimerStarted",
      "SignalReceived",
      "TimerFired TimerStarted ActivityScheduled ActivityScheduled",
      "ActivityCompleted",
      "ActivityCompleted WorkflowCompleted",
    ]);
    await h.stopWorker(mail);
    await h.stopWorker(orders);
  });

  it("approval-signalled-before-start.json", async () => {
    const worker = await start({ workflows: [ApprovalWorkflow], activities: { "grant-access": () => ({ granted: true }) } });
    // Started and signalled in one transaction, so both signals precede the first task.
    const session = await h.db.pool.connect();
    let runId: string;
    try {
      await session.query("begin");
      const { rows } = await session.query<{ r: string }>(
        `select weft.start_workflow('approval', '["access to prod"]', 'approval-1', 'default') as r`,
      );
      runId = rows[0]!.r;
      await session.query(`select weft.signal_workflow('approval-1', 'nudge', '["please"]')`); // no handler
      await session.query(`select weft.signal_workflow('approval-1', 'approve', '["ada"]')`);
      await session.query("commit");
    } finally {
      session.release();
    }
    const ref = { workflowId: "approval-1", runId };
    await h.client.result(ref, { timeoutSeconds: 20 });
    await save("approval-signalled-before-start.json", "approval", ref, [
      "WorkflowStarted SignalReceived SignalReceived TimerStarted MarkerRecorded ActivityScheduled",
      "ActivityCompleted WorkflowCompleted",
    ]);
    await h.stopWorker(worker);
  });

  it("approval-timed-out.json", async () => {
    const worker = await start({ workflows: [ApprovalWorkflow] });
    const ref = await h.client.start(ApprovalWorkflow, ["access to billing"], { workflowId: "approval-2" });
    await fireTimer(ref, "t1"); // nobody decides within the day
    await h.client.result(ref, { timeoutSeconds: 20 });
    await save("approval-timed-out.json", "approval", ref, ["WorkflowStarted TimerStarted", "TimerFired WorkflowCompleted"]);
    await h.stopWorker(worker);
  });

  it("payment-retry-failed.json", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const worker = await start({
      workflows: [PaymentRetryWorkflow],
      activities: {
        "charge-card": () => {
          throw new ApplicationFailure("card declined", { type: "CardDeclined", details: { code: 51 } });
        },
        // Hangs past its start-to-close timeout; its late result is dropped.
        "charge-backup-card": async (ctx) => {
          await Promise.race([released, new Promise((resolve) => ctx.signal.addEventListener("abort", resolve))]);
          return "too late";
        },
      },
    });
    const ref = await h.client.start(PaymentRetryWorkflow, ["inv-9"], { workflowId: "invoice-inv-9" });
    await fireTimer(ref, "t1");
    await reachStartToClose(ref);
    await expect(h.client.result(ref, { timeoutSeconds: 20 })).rejects.toBeInstanceOf(WorkflowFailedError);
    release();
    await save("payment-retry-failed.json", "payment-retry", ref, [
      "WorkflowStarted ActivityScheduled",
      "ActivityFailed TimerStarted",
      "TimerFired ActivityScheduled",
      "ActivityFailed WorkflowFailed",
    ]);
    await h.stopWorker(worker);
  });

  it("shipment-batch-continued.json", async () => {
    const worker = await start({ taskQueue: "shipping", workflows: [ShipmentBatchWorkflow, Shipment] });
    const ref = await h.client.start(ShipmentBatchWorkflow, [7], { workflowId: "shipments", taskQueue: "shipping" });
    // Child 1 ships at once; child 2 fails, is retried after 1 s, and fails again.
    await waitForEvent(ref, (e) => e.type === "WorkflowContinuedAsNew");
    await h.client.terminate("shipments", "recorded"); // each next batch would continue as new again
    await save("shipment-batch-continued.json", "shipment-batch", ref, [
      "WorkflowStarted VersionMarkerRecorded SearchAttributesUpserted ChildWorkflowScheduled ChildWorkflowScheduled",
      "ChildWorkflowCompleted",
      "ChildWorkflowFailed SearchAttributesUpserted WorkflowContinuedAsNew",
    ]);
    await h.stopWorker(worker);
  });
});
