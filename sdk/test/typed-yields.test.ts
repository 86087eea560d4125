// `yield* command` resumes with the command's result typed; plain `yield command` resumes with
// `unknown`. Both send the same commands, so either style replays the other's history. The
// expectTypeOf lines are checked by `pnpm typecheck`; the rest at run time.
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ActivityFailure,
  ApplicationFailure,
  registerWorkflow,
  ScheduleActivity,
  type CommandResult,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import { replay, workflowDefinition } from "@weft/sdk/internal";
import { FakeRun, RUN_ID } from "./support/fake-run.js";

class Label {
  *run(ctx: WorkflowContext, orderId: number, carrier: string): WorkflowGenerator<string> {
    return yield* ctx.activity<string>("print-label", [orderId, carrier]);
  }
}
registerWorkflow(Label, { name: "label" });

class Typed {
  *run(ctx: WorkflowContext, orderId: number) {
    const total = yield* ctx.activity<number>("price", [orderId], { startToCloseTimeoutSeconds: 5 });
    expectTypeOf(total).toEqualTypeOf<number>();
    const [stock, note] = yield* ctx.all([ctx.activity<boolean>("stock", [orderId]), ctx.activity<string>("note")]);
    expectTypeOf(stock).toEqualTypeOf<boolean>();
    expectTypeOf(note).toEqualTypeOf<string>();
    const slept = yield* ctx.sleep(1);
    expectTypeOf(slept).toEqualTypeOf<void>();
    const approved = yield* ctx.waitCondition(() => stock, { timeoutSeconds: 60 });
    expectTypeOf(approved).toEqualTypeOf<boolean>();
    const label = yield* ctx.startChildWorkflow(Label, [orderId, "post"]);
    expectTypeOf(label).toEqualTypeOf<string>();
    return { total, stock, note, approved, label };
  }
}
registerWorkflow(Typed, { name: "typed" });

/** Typed's commands, yielded plainly. */
class Plain {
  *run(ctx: WorkflowContext, orderId: number): WorkflowGenerator {
    const total = yield new ScheduleActivity("price", [orderId], { startToCloseTimeoutSeconds: 5 });
    expectTypeOf(total).toEqualTypeOf<unknown>();
    const [stock, note] = (yield [new ScheduleActivity("stock", [orderId]), new ScheduleActivity("note")]) as [boolean, string];
    yield ctx.sleep(1);
    const approved = yield ctx.waitCondition(() => stock, { timeoutSeconds: 60 });
    const label = yield ctx.startChildWorkflow("label", [orderId, "post"]);
    return { total, stock, note, approved, label };
  }
}
registerWorkflow(Plain, { name: "typed" });

/** Drives a run of `cls` through the same outcomes. */
function runOrder(cls: typeof Typed | typeof Plain) {
  const run = new FakeRun(cls, [7]);
  run.runTask();
  run.completeActivity(1, 42).runTask();
  run.completeActivity(2, true).completeActivity(3, "fragile").runTask();
  run.fireTimer("t1").runTask(); // the condition is true at once; its timeout timer t2 starts anyway
  return { run, last: run.completeChild(1, "TRACK-7").runTask() };
}

describe("typed yields", () => {
  it("resume with each command's result, as plain yields do", () => {
    const typed = runOrder(Typed);
    const expected = { total: 42, stock: true, note: "fragile", approved: true, label: "TRACK-7" };
    expect(typed.last.commands).toEqual([{ kind: "CompleteWorkflow", result: expected }]);
    expect(runOrder(Plain).last.commands).toEqual([{ kind: "CompleteWorkflow", result: expected }]);
  });

  it("send the same commands, so each style replays the other's history", () => {
    const { run } = runOrder(Typed);
    expect(replay(workflowDefinition(Plain), run.history, { runId: RUN_ID, lastTaskIsNew: false }).finished).toBe(true);
    expect(replay(workflowDefinition(Typed), runOrder(Plain).run.history, { runId: RUN_ID, lastTaskIsNew: false }).finished).toBe(true);
  });

  it("throw a failed activity's ActivityFailure at the yield*", () => {
    class Catches {
      *run(ctx: WorkflowContext) {
        try {
          yield* ctx.activity<number>("charge");
          return "charged";
        } catch (error) {
          return error instanceof ActivityFailure ? `caught: ${error.cause.message}` : "not an ActivityFailure";
        }
      }
    }
    registerWorkflow(Catches, { name: "catches" });
    const run = new FakeRun(Catches);
    run.runTask();
    const { commands } = run.failActivity(1, new ApplicationFailure("declined")).runTask();
    expect(commands).toEqual([{ kind: "CompleteWorkflow", result: "caught: declined" }]);
  });

  it("fail the workflow task, with a hint, when ctx.all is yielded without the star", () => {
    class Forgot {
      *run(ctx: WorkflowContext) {
        yield ctx.all([ctx.sleep(1)]) as never;
      }
    }
    registerWorkflow(Forgot, { name: "forgot" });
    expect(() => new FakeRun(Forgot).runTask()).toThrow(/yielded a generator \(wait for what it yields with yield\*/);
  });

  it("type each command's result", () => {
    expectTypeOf<CommandResult<ScheduleActivity<number>>>().toEqualTypeOf<number>();
    expectTypeOf<CommandResult<ReturnType<WorkflowContext["sleep"]>>>().toEqualTypeOf<void>();
    expectTypeOf<CommandResult<ReturnType<WorkflowContext["waitCondition"]>>>().toEqualTypeOf<boolean>();
    // Label's run takes (orderId: number, carrier: string): `pnpm typecheck` fails if this compiles.
    // @ts-expect-error: a string where the child class's run takes a number
    const _wrongArgs = (ctx: WorkflowContext) => ctx.startChildWorkflow(Label, ["not a number", "post"]);
  });
});
