// The replayer's side of child workflows, continue-as-new and search attributes: the commands
// it yields, how outcomes resolve the yields, and what replay checks.
import { describe, expect, it } from "vitest";
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  ChildWorkflowRetryPolicy,
  ContinueAsNew,
  NonDeterminismError,
  registerWorkflow,
  UpsertSearchAttributes,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import { replay, workflowDefinition } from "@weft/sdk/internal";
import { FakeRun, RUN_ID } from "./support/fake-run.js";

class Parent {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    const [a, b] = yield* ctx.all([
      ctx.startChildWorkflow("child", [1]),
      ctx.startChildWorkflow("child", [2], {
        workflowId: "child-two",
        parentClosePolicy: "abandon",
        retryPolicy: new ChildWorkflowRetryPolicy({ maxAttempts: 2 }),
        runTimeoutSeconds: 1.5,
      }),
    ]);
    try {
      yield ctx.startChildWorkflow("child", [3]);
    } catch (error) {
      return { a, b, caught: error instanceof ChildWorkflowFailure ? error.message : "not a ChildWorkflowFailure" };
    }
    return "unreachable";
  }
}
registerWorkflow(Parent, { name: "parent" });

class OtherParent {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    yield [ctx.startChildWorkflow("other-child", [1]), ctx.startChildWorkflow("child", [2])];
    return null;
  }
}
registerWorkflow(OtherParent, { name: "parent" });

class Counter {
  *run(ctx: WorkflowContext, n: number): WorkflowGenerator {
    yield new UpsertSearchAttributes({ count: n, stale: null });
    if (n < 3) return new ContinueAsNew([n + 1]);
    return ctx.info.searchAttributes;
  }
}
registerWorkflow(Counter, { name: "counter" });

describe("child workflows in the replayer", () => {
  it("starts children with stable ids and resolves results and failures at their yields", () => {
    const run = new FakeRun(Parent);
    const first = run.runTask();
    expect(first.commands).toEqual([
      {
        kind: "StartChildWorkflow",
        childId: 1,
        workflowType: "child",
        workflowId: `${RUN_ID}/1`,
        taskQueue: "default",
        args: [1],
        parentClosePolicy: "terminate",
        retryPolicy: null,
        executionTimeoutMs: null,
        runTimeoutMs: null,
      },
      expect.objectContaining({
        childId: 2,
        workflowId: "child-two",
        parentClosePolicy: "abandon",
        retryPolicy: expect.objectContaining({ maxAttempts: 2 }),
        runTimeoutMs: 1500,
      }),
    ]);
    expect(run.completeChild(2, "two").runTask().commands).toEqual([]);
    expect(run.completeChild(1, "one").runTask().commands).toEqual([expect.objectContaining({ childId: 3 })]);
    const last = run.failChild(3, new ApplicationFailure("out of stock", { type: "OutOfStock" })).runTask();
    expect(last.commands).toEqual([
      {
        kind: "CompleteWorkflow",
        result: { a: "one", b: "two", caught: `child workflow child (${RUN_ID}/3) failed: out of stock` },
      },
    ]);
    expect(replay(workflowDefinition(Parent), run.history, { runId: RUN_ID, lastTaskIsNew: false }).finished).toBe(true);
  });

  it("raises NonDeterminismError when replayed code starts a different child type", () => {
    const run = new FakeRun(Parent);
    run.runTask();
    expect(() => replay(workflowDefinition(OtherParent), run.history, { runId: RUN_ID, lastTaskIsNew: false })).toThrow(
      /ChildWorkflowScheduled\(child, child 1\).*StartChildWorkflow\(other-child, child 1\)/,
    );
    expect(() => replay(workflowDefinition(OtherParent), run.history, { runId: RUN_ID, lastTaskIsNew: false })).toThrow(
      NonDeterminismError,
    );
  });
});

describe("continue-as-new and search attributes in the replayer", () => {
  it("returns ContinueAsNew with the workflow's own type and queue, after upserting attributes", () => {
    const run = new FakeRun(Counter, [1]);
    const result = run.runTask();
    expect(result.finished).toBe(true);
    expect(result.commands).toEqual([
      { kind: "UpsertSearchAttributes", attributes: { count: 1, stale: null } },
      { kind: "ContinueAsNew", workflowType: "counter", taskQueue: "default", args: [2] },
    ]);
  });

  it("shows the merged attributes on ctx.info, without removed keys", () => {
    const result = new FakeRun(Counter, [3]).runTask();
    expect(result.commands.at(-1)).toEqual({ kind: "CompleteWorkflow", result: { count: 3 } });
  });

  it("refuses a search attribute that is not a name or a plain value", () => {
    expect(() => new UpsertSearchAttributes({ "bad key": 1 })).toThrow(/search attribute key "bad key"/);
    expect(() => new UpsertSearchAttributes({ nested: { a: 1 } as never })).toThrow(/must be a string/);
  });
});
