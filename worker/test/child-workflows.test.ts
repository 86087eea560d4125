import { describe, expect, it } from "vitest";
import {
  ApplicationFailure,
  ChildWorkflowRetryPolicy,
  ContinueAsNew,
  workflow,
  WorkflowFailedError,
  type RetryPolicyOptions,
  type StartChildWorkflowOptions,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import { serializeFailure } from "@weft/sdk/internal";
import { useHarness, waitFor } from "./support/harness.js";

@workflow.defn({ name: "child-echo" })
class ChildEcho {
  *run(ctx: WorkflowContext, value: unknown, failTimes = 0): WorkflowGenerator {
    if (ctx.info.attempt <= failTimes) throw new ApplicationFailure(`attempt ${ctx.info.attempt} failed`);
    yield ctx.sleep(0);
    return { value, attempt: ctx.info.attempt, parent: ctx.info.parent };
  }
}

@workflow.defn({ name: "child-waiter" })
class ChildWaiter {
  released = false;
  @workflow.signal("release")
  onRelease() {
    this.released = true;
  }
  *run(ctx: WorkflowContext): WorkflowGenerator {
    yield ctx.waitCondition(() => this.released);
    return "released";
  }
}

@workflow.defn({ name: "parent-of-many" })
class ParentOfMany {
  *run(ctx: WorkflowContext, n: number): WorkflowGenerator {
    return yield Array.from({ length: n }, (_, i) => ctx.startChildWorkflow(ChildEcho, [i]));
  }
}

type ChildOptions = Omit<StartChildWorkflowOptions, "retryPolicy"> & { retryPolicy?: RetryPolicyOptions };

/** Runs one child and returns its result, or the serialized failure it caught. */
@workflow.defn({ name: "parent-catch" })
class ParentCatch {
  *run(ctx: WorkflowContext, childType: string, args: unknown[], options: ChildOptions = {}): WorkflowGenerator {
    try {
      return yield ctx.startChildWorkflow(childType, args, {
        ...options,
        retryPolicy: options.retryPolicy && new ChildWorkflowRetryPolicy(options.retryPolicy),
      });
    } catch (error) {
      return { failure: serializeFailure(error) };
    }
  }
}

/** Continues as new once, then waits for "release". */
@workflow.defn({ name: "child-continuing" })
class ChildContinuing {
  released = false;
  @workflow.signal("release")
  onRelease() {
    this.released = true;
  }
  *run(ctx: WorkflowContext, round: number): WorkflowGenerator {
    if (round === 1) return new ContinueAsNew([2]);
    yield ctx.waitCondition(() => this.released);
    return "released";
  }
}

const workflows = [ChildEcho, ChildWaiter, ChildContinuing, ParentOfMany, ParentCatch];
const fast: RetryPolicyOptions = { initialIntervalSeconds: 0.01, backoffCoefficient: 1 };

describe("child workflows", () => {
  const h = useHarness();

  it("runs children in parallel and returns their results in order, each knowing its parent", async () => {
    const worker = await h.startWorker({ workflows });
    const parent = await h.client.start(ParentOfMany, [5], { workflowId: "many" });
    const results = await h.client.result<{ value: number; parent: unknown }[]>(parent, { timeoutSeconds: 15 });
    expect(results.map((r) => r.value)).toEqual([0, 1, 2, 3, 4]);
    expect(results[0]!.parent).toEqual({ workflowId: "many", runId: parent.runId });
    const children = await h.client.list({ parentRunId: parent.runId });
    expect(children.runs.map((r) => r.status)).toEqual(Array(5).fill("completed"));
    expect(children.runs.map((r) => r.workflowId).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `${parent.runId}/${i}`));
    await h.stopWorker(worker);
  });

  it("retries a failing child per its policy, then reports the last failure to the parent", async () => {
    const worker = await h.startWorker({ workflows });
    const recovered = await h.client.start(ParentCatch, ["child-echo", ["x", 2], { retryPolicy: { ...fast, maxAttempts: 3 } }]);
    expect(await h.client.result(recovered, { timeoutSeconds: 15 })).toMatchObject({ value: "x", attempt: 3 });

    const exhausted = await h.client.start(ParentCatch, ["child-echo", ["y", 5], { retryPolicy: { ...fast, maxAttempts: 2 } }]);
    const { failure } = await h.client.result<{ failure: { name: string; cause: { message: string } } }>(exhausted, {
      timeoutSeconds: 15,
    });
    expect(failure.name).toBe("ChildWorkflowFailure");
    expect(failure.cause.message).toBe("attempt 2 failed");
    const runs = await h.client.list({ parentRunId: exhausted.runId });
    expect(runs.runs.map((r) => [r.attempt, r.status])).toEqual([
      [2, "failed"],
      [1, "failed"],
    ]);
    await h.stopWorker(worker);
  });

  it("reports a child that cannot start as a failure the parent can catch", async () => {
    const worker = await h.startWorker({ workflows });
    await h.client.start(ChildWaiter, [], { workflowId: "taken" });
    const duplicate = await h.client.start(ParentCatch, ["child-waiter", [], { workflowId: "taken" }]);
    const unknown = await h.client.start(ParentCatch, ["no-such-workflow", []]);
    const failureOf = async (handle: typeof duplicate) =>
      (await h.client.result<{ failure: { cause: { type: string } } }>(handle, { timeoutSeconds: 15 })).failure.cause.type;
    expect(await failureOf(duplicate)).toBe("WorkflowAlreadyRunning");
    expect(await failureOf(unknown)).toBe("UnknownWorkflowType");
    await h.client.terminate("taken");
    await h.stopWorker(worker);
  });

  it("times a child out after its run timeout", async () => {
    const worker = await h.startWorker({ workflows });
    const parent = await h.client.start(ParentCatch, ["child-waiter", [], { runTimeoutSeconds: 3600 }]);
    await waitFor(async () => (await h.client.describe(parent)).pendingChildren.length === 1);
    await h.advanceClock(3600);
    const { failure } = await h.client.result<{ failure: { cause: { name: string; timeoutType: string } } }>(parent, {
      timeoutSeconds: 15,
    });
    expect(failure.cause).toMatchObject({ name: "TimeoutFailure", timeoutType: "workflowRun" });
    await h.stopWorker(worker);
  });

  it("terminates running children when their parent closes, unless they are abandoned", async () => {
    const worker = await h.startWorker({ workflows });
    const killed = await h.client.start(ParentCatch, ["child-waiter", [], { workflowId: "killed-child" }]);
    const left = await h.client.start(ParentCatch, ["child-waiter", [], { workflowId: "left-child", parentClosePolicy: "abandon" }]);
    await waitFor(async () => (await h.client.describe(killed)).pendingChildren.length === 1);
    await waitFor(async () => (await h.client.describe(left)).pendingChildren.length === 1);
    expect((await h.client.describe(killed)).pendingChildren[0]).toMatchObject({ workflowId: "killed-child", childId: 1 });

    await h.client.terminate(killed, "operator says stop");
    await h.client.terminate(left);
    const error = await h.client.result("killed-child", { timeoutSeconds: 15 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as Error).message).toMatch(/terminated: its parent .+ closed/);
    expect((await h.client.describe("left-child")).status).toBe("running");
    await h.client.signal("left-child", "release");
    expect(await h.client.result("left-child", { timeoutSeconds: 15 })).toBe("released");
    await h.stopWorker(worker);
  });

  it("terminates the next run of a child that continued as new when the parent closes", async () => {
    const worker = await h.startWorker({ workflows });
    const parent = await h.client.start(ParentCatch, ["child-continuing", [1], { workflowId: "continuing-child" }]);
    await waitFor(async () => (await h.client.list({ workflowId: "continuing-child", status: "continued_as_new" })).runs.length === 1);
    const [second] = (await h.client.list({ workflowId: "continuing-child", status: "running" })).runs;
    expect(second!.parent).toEqual({ workflowId: parent.runId, runId: parent.runId });
    await h.client.terminate(parent);
    await expect(h.client.result("continuing-child", { timeoutSeconds: 15 })).rejects.toThrow(/its parent .+ closed/);
    await h.stopWorker(worker);
  });
});
