import { describe, expect, it } from "vitest";
import {
  ApplicationFailure,
  ContinueAsNew,
  UpsertSearchAttributes,
  workflow,
  InvalidArgumentError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowRetryPolicy,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import { Approval } from "./support/workflows.js";
import { useHarness, waitFor, waitUntilNothingDue } from "./support/harness.js";

/** Counts to `target`, one run per step. */
@workflow.defn({ name: "stepper" })
class Stepper {
  *run(ctx: WorkflowContext, n: number, target: number): WorkflowGenerator {
    yield new UpsertSearchAttributes({ step: n });
    if (n < target) return new ContinueAsNew([n + 1, target]);
    return { n, from: ctx.info.continuedFromRunId, attributes: ctx.info.searchAttributes };
  }
}

/** Adds up "add" signals, continuing as new after every task that saw some, until `goal`. */
@workflow.defn({ name: "adder" })
class Adder {
  seen: number[] = [];
  @workflow.signal("add")
  onAdd(n: number) {
    this.seen.push(n);
  }
  *run(ctx: WorkflowContext, total: number, goal: number): WorkflowGenerator {
    yield ctx.waitCondition(() => this.seen.length > 0);
    const sum = this.seen.reduce((a, b) => a + b, total);
    if (sum >= goal) return sum;
    return new ContinueAsNew([sum, goal]);
  }
}

@workflow.defn({ name: "fails-twice" })
class FailsTwice {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    yield ctx.sleep(0);
    if (ctx.info.attempt < 3) throw new ApplicationFailure(`run ${ctx.info.attempt} failed`);
    return ctx.info.attempt;
  }
}

/** Fails its first run, succeeds on the next. */
@workflow.defn({ name: "fails-once" })
class FailsOnce {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    yield ctx.sleep(0);
    if (ctx.info.attempt === 1) throw new ApplicationFailure("first run failed");
    return ctx.info.attempt;
  }
}

const workflows = [Stepper, Adder, FailsTwice, FailsOnce, Approval];

describe("continue-as-new", () => {
  const h = useHarness();

  it("runs a chain of runs under one workflow id; result() follows it to the last", async () => {
    const worker = await h.startWorker({ workflows });
    const first = await h.client.start(Stepper, [1, 4], { workflowId: "stepper", searchAttributes: { owner: "ops" } });
    const result = await h.client.result<{ n: number; from: string; attributes: unknown }>(first, { timeoutSeconds: 15 });
    expect(result.n).toBe(4);
    expect(result.attributes).toEqual({ owner: "ops", step: 4 });
    const runs = (await h.client.list({ workflowId: "stepper" })).runs;
    expect(runs.map((r) => r.status)).toEqual(["completed", "continued_as_new", "continued_as_new", "continued_as_new"]);
    expect(result.from).toBe(runs[1]!.runId);
    expect(runs[1]!.nextRunId).toBe(runs[0]!.runId);
    const history = await h.client.history("stepper");
    expect(history[0]).toMatchObject({ type: "WorkflowStarted", attributes: { args: [4, 4], continuedFromRunId: runs[1]!.runId } });
    const old = await h.client.history({ workflowId: "stepper", runId: first.runId });
    expect(old.at(-1)).toMatchObject({ type: "WorkflowContinuedAsNew", attributes: { args: [2, 4], newRunId: runs[2]!.runId } });
    await h.stopWorker(worker);
  });

  it("loses no signal sent while runs continue as new", async () => {
    const worker = await h.startWorker({ workflows });
    const handle = await h.client.start(Adder, [0, 55], { workflowId: "adder" });
    for (let i = 1; i <= 10; i++) await h.client.signal("adder", "add", [i]);
    expect(await h.client.result(handle, { timeoutSeconds: 15 })).toBe(55);
    await h.stopWorker(worker);
  });
});

describe("workflow retry policy and timeouts", () => {
  const h = useHarness();

  it("runs a failed workflow again per its retry policy, attempt by attempt", async () => {
    const worker = await h.startWorker({ workflows });
    const retryPolicy = new WorkflowRetryPolicy({ maxAttempts: 3, initialIntervalSeconds: 0.01 });
    const handle = await h.client.start(FailsTwice, [], { workflowId: "flaky", retryPolicy });
    expect(await h.client.result(handle, { timeoutSeconds: 15 })).toBe(3);
    const runs = (await h.client.list({ workflowId: "flaky" })).runs;
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [3, "completed"],
      [2, "failed"],
      [1, "failed"],
    ]);
    await h.stopWorker(worker);
  });

  it("fails a workflow with no retry policy at its first failure", async () => {
    const worker = await h.startWorker({ workflows });
    const handle = await h.client.start(FailsTwice, []);
    await expect(h.client.result(handle, { timeoutSeconds: 15 })).rejects.toThrow(/run 1 failed/);
    await h.stopWorker(worker);
  });

  it("counts a retry's run timeout from after its backoff", async () => {
    const worker = await h.startWorker({ workflows });
    // A 60 s backoff is longer than the 30 s run timeout: the retry must still get its 30 s.
    const retryPolicy = new WorkflowRetryPolicy({ maxAttempts: 2, initialIntervalSeconds: 60 });
    const handle = await h.client.start(FailsOnce, [], { workflowId: "slow-retry", retryPolicy, runTimeoutSeconds: 30 });
    await waitFor(async () => (await h.client.list({ workflowId: "slow-retry" })).runs.length === 2);
    // Past a timeout counted from the retry's creation, before its first task is due.
    await h.advanceClock(31);
    await waitUntilNothingDue(h.db.pool);
    await h.advanceClock(30);
    expect(await h.client.result(handle, { timeoutSeconds: 15 })).toBe(2);
    await h.stopWorker(worker);
  });

  it("keeps a retried run waiting out its backoff even when a signal arrives", async () => {
    const worker = await h.startWorker({ workflows });
    const retryPolicy = new WorkflowRetryPolicy({ maxAttempts: 2, initialIntervalSeconds: 60 });
    const handle = await h.client.start(FailsOnce, [], { workflowId: "backing-off", retryPolicy });
    await waitFor(async () => (await h.client.list({ workflowId: "backing-off" })).runs.length === 2);
    await h.client.signal("backing-off", "ping");
    await waitUntilNothingDue(h.db.pool);
    const [retry, failed] = (await h.client.list({ workflowId: "backing-off" })).runs;
    expect(await h.client.history({ workflowId: "backing-off", runId: retry!.runId })).toEqual([]);
    await h.advanceClock(60);
    expect(await h.client.result(handle, { timeoutSeconds: 15 })).toBe(2);
    const firstTask = (await h.client.history({ workflowId: "backing-off", runId: retry!.runId })).find((e) => e.type === "TimerStarted");
    expect(Date.parse(firstTask!.createdAt!) - failed!.closedAt!.getTime()).toBeGreaterThanOrEqual(59_900);
    await h.stopWorker(worker);
  });

  it("does not retry past the execution deadline, and reports the real failure", async () => {
    const worker = await h.startWorker({ workflows });
    const retryPolicy = new WorkflowRetryPolicy({ maxAttempts: 5, initialIntervalSeconds: 30 });
    const handle = await h.client.start(FailsOnce, [], { workflowId: "late", retryPolicy, executionTimeoutSeconds: 5 });
    await expect(h.client.result(handle, { timeoutSeconds: 15 })).rejects.toThrow(/first run failed/);
    expect((await h.client.list({ workflowId: "late" })).runs).toHaveLength(1);
    await h.stopWorker(worker);
  });

  it("refuses timeouts out of range with a typed error, in the client and in SQL", async () => {
    const worker = await h.startWorker({ workflows });
    await expect(h.client.start(Approval, [], { runTimeoutSeconds: 1e12 })).rejects.toThrow(InvalidArgumentError);
    const { rows } = await h.db.pool.query<{ answers: unknown[] }>(
      `select weft.start_workflows($1::jsonb) as answers`,
      [JSON.stringify([
        { workflowType: "approval", args: [], options: { runTimeoutMs: 1e13 } },
        { workflowType: "approval", args: [], workflowId: "fine" },
      ])],
    );
    expect(rows[0]!.answers[0]).toMatchObject({ error: { code: "WF006" } });
    expect(rows[0]!.answers[1]).toHaveProperty("runId");
    await h.client.terminate("fine");
    await h.stopWorker(worker);
  });

  it("times a run out after its run timeout", async () => {
    const worker = await h.startWorker({ workflows });
    const handle = await h.client.start(Approval, [], { runTimeoutSeconds: 3600 });
    await waitFor(async () => (await h.client.history(handle)).length > 0); // first task done
    await h.advanceClock(3600);
    const error = await h.client.result(handle, { timeoutSeconds: 15 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as Error).cause).toMatchObject({ name: "TimeoutFailure", timeoutType: "workflowRun" });
    expect((await h.client.history(handle)).at(-1)).toMatchObject({ type: "WorkflowTimedOut" });
    expect((await h.client.describe(handle)).status).toBe("timed_out");
    await h.stopWorker(worker);
  });
});

describe("terminate", () => {
  const h = useHarness();

  it("closes a running workflow at once; it then takes no signals and cannot be terminated again", async () => {
    const worker = await h.startWorker({ workflows });
    const handle = await h.client.start(Approval, [], { workflowId: "to-stop" });
    await waitFor(async () => (await h.client.history(handle)).length > 0); // first task done
    await h.client.terminate("to-stop", "no longer needed");
    const error = await h.client.result(handle).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as Error).cause).toMatchObject({ name: "TerminatedFailure", message: "no longer needed" });
    expect((await h.client.history(handle)).at(-1)).toMatchObject({
      type: "WorkflowTerminated",
      attributes: { reason: "no longer needed" },
    });
    await expect(h.client.signal("to-stop", "approve", ["ada"])).rejects.toThrow(WorkflowNotFoundError);
    await expect(h.client.terminate("to-stop")).rejects.toThrow(/is terminated/);
    await expect(h.client.terminate("never-was")).rejects.toThrow(WorkflowNotFoundError);
    await h.stopWorker(worker);
  });

  it("leaves nothing in the inbox of a run terminated before its first task", async () => {
    await h.stopWorker(await h.startWorker({ workflows })); // registers the types; nothing runs
    const handle = await h.client.start(Approval, []);
    await h.client.signal(handle, "approve", ["ada"]);
    await h.client.terminate(handle);
    const { rows } = await h.db.pool.query("select count(*)::int as n from weft.inbox where run_id = $1", [handle.runId]);
    expect(rows[0].n).toBe(0);
  });
});
