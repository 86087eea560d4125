// Option objects are checked where they are passed: a name without its unit, a duration the
// database cannot hold or another command's retry policy fails the workflow (or the client
// call), naming the field; the names themselves become wire names in sdk/src/wire.ts.
import { describe, expect, it } from "vitest";
import {
  ActivityRetryPolicy,
  ChildWorkflowRetryPolicy,
  registerWorkflow,
  ScheduleActivity,
  StartChildWorkflow,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import { FakeRun } from "./support/fake-run.js";

describe("options of commands", () => {
  function firstTask(body: (ctx: WorkflowContext) => WorkflowGenerator) {
    const cls = registerWorkflow(class { run = body } as never, { name: "options" });
    return new FakeRun(cls).runTask().commands;
  }

  it("fail the workflow, naming the field, for an option without its unit", () => {
    const commands = firstTask(function* () {
      yield new ScheduleActivity("charge", [], { startToCloseTimeout: 10 } as never);
    });
    expect(commands).toMatchObject([
      { kind: "FailWorkflow", failure: { type: "TypeError", message: 'options of activity "charge": Unrecognized key: "startToCloseTimeout"' } },
    ]);
  });

  it("refuse an activity timeout past ten years, the limit SQL checks too", () => {
    const commands = firstTask(function* () {
      yield new ScheduleActivity("charge", [], { heartbeatTimeoutSeconds: 11 * 365 * 24 * 3600 });
    });
    expect(commands).toMatchObject([{ kind: "FailWorkflow", failure: { message: /heartbeatTimeoutSeconds: Too big/ } }]);
  });

  it("refuse what the SQL functions would refuse when the task completes (it would fail on every retry)", () => {
    const cases: [(ctx: WorkflowContext) => WorkflowGenerator, RegExp][] = [
      [function* () { yield new ScheduleActivity("a", [], { retryPolicy: new ActivityRetryPolicy({ backoffCoefficient: 150 }) }); }, /retryPolicy.backoffCoefficient/],
      [function* () { yield new ScheduleActivity("a", [], { retryPolicy: new ActivityRetryPolicy({ maxAttempts: 2.5 }) }); }, /retryPolicy.maxAttempts/],
      [function* () { yield new ScheduleActivity("a", [], { taskQueue: "q".repeat(256) }); }, /taskQueue: is 256 characters/],
      [function* (ctx) { yield ctx.sleep(4e8); }, /from 0 to ten years/],
      [function* (ctx) { yield ctx.waitCondition(() => false, { timeoutSeconds: 4e8 }); }, /from 0 to ten years/],
    ];
    for (const [body, message] of cases) {
      expect(firstTask(body)).toMatchObject([{ kind: "FailWorkflow", failure: { message } }]);
    }
  });

  it("refuse a child workflow's retry policy for an activity", () => {
    const commands = firstTask(function* () {
      const retryPolicy = new ChildWorkflowRetryPolicy() as unknown as ActivityRetryPolicy;
      yield new ScheduleActivity("charge", [], { retryPolicy });
    });
    expect(commands).toMatchObject([{ kind: "FailWorkflow", failure: { message: /retryPolicy: .*ActivityRetryPolicy/ } }]);
  });

  it("fail the workflow for a child workflow option under an old name", () => {
    const commands = firstTask(function* () {
      yield new StartChildWorkflow("shipping", [], { runTimeout: 60 } as never);
    });
    expect(commands).toMatchObject([
      { kind: "FailWorkflow", failure: { message: 'options of child workflow "shipping": Unrecognized key: "runTimeout"' } },
    ]);
  });
});
