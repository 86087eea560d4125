// History in, commands out: what each yield turns into on the wire, and how results,
// failures and the workflow's own return or throw come back through replay.
import { describe, expect, it } from "vitest";
import {
  ActivityFailure,
  ActivityRetryPolicy,
  ApplicationFailure,
  registerWorkflow,
  ScheduleActivity,
  TimeoutFailure,
  WorkflowTaskError,
  type WorkflowContext,
} from "@weft/sdk";
import { FakeRun } from "./support/fake-run.js";

class ChargeWorkflow {
  *run(_ctx: WorkflowContext, orderId: string) {
    const receipt: string = yield new ScheduleActivity("charge-card", [orderId, 42], {
      startToCloseTimeoutSeconds: 30,
      scheduleToStartTimeoutSeconds: 1.5,
      heartbeatTimeoutSeconds: 0.25,
    });
    return { orderId, receipt };
  }
}
registerWorkflow(ChargeWorkflow, { name: "charge" });

describe("replay: activities", () => {
  it("schedules an activity in the first task with the full wire command", () => {
    const run = new FakeRun(ChargeWorkflow, ["o-1"], { taskQueue: "orders" });
    const { commands, finished } = run.runTask();
    expect(finished).toBe(false);
    expect(commands).toEqual([
      {
        kind: "ScheduleActivity",
        activityId: 1,
        activityType: "charge-card",
        args: ["o-1", 42],
        queue: "orders", // the workflow's task queue when none is given
        retryPolicy: {
          maxAttempts: 3,
          initialIntervalSeconds: 1,
          backoffCoefficient: 2,
          maximumIntervalSeconds: null,
          nonRetryableErrorTypes: [],
          backoffSeconds: null,
        },
        startToCloseMs: 30_000,
        scheduleToStartMs: 1_500,
        scheduleToCloseMs: null,
        heartbeatMs: 250,
      },
    ]);
  });

  it("snaps an explicit task queue and retry policy onto the command, as the wire's queue", () => {
    class Explicit {
      *run() {
        yield new ScheduleActivity("send", [], {
          taskQueue: "mail",
          retryPolicy: new ActivityRetryPolicy({ maxAttempts: 5, backoffSeconds: [1, 10], nonRetryableErrorTypes: ["Bounce"] }),
        });
      }
    }
    registerWorkflow(Explicit, { name: "explicit" });
    const [command] = new FakeRun(Explicit).runTask().commands;
    expect(command).toMatchObject({
      queue: "mail",
      retryPolicy: { maxAttempts: 5, backoffSeconds: [1, 10], nonRetryableErrorTypes: ["Bounce"] },
    });
  });

  it("resumes with the activity result and completes with the return value", () => {
    const run = new FakeRun(ChargeWorkflow, ["o-1"]);
    run.runTask();
    const { commands, finished } = run.completeActivity(1, "r-9").runTask();
    expect(commands).toEqual([{ kind: "CompleteWorkflow", result: { orderId: "o-1", receipt: "r-9" } }]);
    expect(finished).toBe(true);
  });

  it("runs an array of activities in parallel and resumes with the results in yield order", () => {
    class FanOut {
      *run() {
        const results: string[] = yield ["a", "b", "c"].map((name) => new ScheduleActivity(`fetch-${name}`));
        return results;
      }
    }
    registerWorkflow(FanOut, { name: "fan-out" });
    const run = new FakeRun(FanOut);
    const first = run.runTask().commands;
    expect(first.map((c) => c.kind === "ScheduleActivity" && [c.activityId, c.activityType])).toEqual([
      [1, "fetch-a"],
      [2, "fetch-b"],
      [3, "fetch-c"],
    ]);
    // Results arrive out of order and over two tasks; the workflow waits for all three.
    expect(run.completeActivity(3, "C").completeActivity(1, "A").runTask()).toMatchObject({ commands: [], finished: false });
    expect(run.completeActivity(2, "B").runTask().commands).toEqual([{ kind: "CompleteWorkflow", result: ["A", "B", "C"] }]);
  });

  it("throws ActivityFailure into the workflow, keeping the cause's type, message and the attempt", () => {
    let caught: unknown;
    class Careful {
      *run() {
        try {
          yield new ScheduleActivity("charge-card");
        } catch (error) {
          caught = error;
          return "fallback";
        }
      }
    }
    registerWorkflow(Careful, { name: "careful" });
    const run = new FakeRun(Careful);
    run.runTask();
    const declined = new ApplicationFailure("card declined", { type: "CardDeclined", details: { code: 51 } });
    const { commands } = run.failActivity(1, declined, 3).runTask();
    expect(commands).toEqual([{ kind: "CompleteWorkflow", result: "fallback" }]);
    expect(caught).toBeInstanceOf(ActivityFailure);
    const failure = caught as ActivityFailure;
    expect(failure).toMatchObject({ activityType: "charge-card", activityId: 1, attempt: 3 });
    expect(failure.cause).toBeInstanceOf(ApplicationFailure);
    expect(failure.cause).toMatchObject({ type: "CardDeclined", message: "card declined", details: { code: 51 } });
  });

  it("keeps a timeout cause a TimeoutFailure", () => {
    let caught: unknown;
    class Waits {
      *run() {
        try {
          yield new ScheduleActivity("slow");
        } catch (error) {
          caught = error;
        }
      }
    }
    registerWorkflow(Waits, { name: "waits" });
    const run = new FakeRun(Waits);
    run.runTask();
    run.failActivity(1, new TimeoutFailure("no heartbeat", "heartbeat"), 2).runTask();
    expect((caught as ActivityFailure).cause).toBeInstanceOf(TimeoutFailure);
    expect((caught as ActivityFailure).cause).toMatchObject({ timeoutType: "heartbeat", message: "no heartbeat" });
  });

  it("fails a parallel yield as soon as one member fails, without waiting for the rest", () => {
    class Parallel {
      *run() {
        yield [new ScheduleActivity("a"), new ScheduleActivity("b")];
      }
    }
    registerWorkflow(Parallel, { name: "parallel" });
    const run = new FakeRun(Parallel);
    run.runTask();
    const [command] = run.failActivity(2, new Error("boom")).runTask().commands;
    expect(command).toMatchObject({ kind: "FailWorkflow", failure: { name: "ActivityFailure", activityType: "b", activityId: 2 } });
  });
});

describe("replay: timers", () => {
  it("turns ctx.sleep(1.2) into a two-second timer t1 and resumes when it fires", () => {
    class Sleeper {
      *run(ctx: WorkflowContext) {
        yield ctx.sleep(1.2);
        yield ctx.startTimer(5, { timerId: "reminder" });
        return "awake";
      }
    }
    registerWorkflow(Sleeper, { name: "sleeper" });
    const run = new FakeRun(Sleeper);
    expect(run.runTask().commands).toEqual([{ kind: "StartTimer", timerId: "t1", seconds: 2 }]);
    expect(run.fireTimer("t1").runTask().commands).toEqual([{ kind: "StartTimer", timerId: "reminder", seconds: 5 }]);
    expect(run.fireTimer("reminder").runTask().commands).toEqual([{ kind: "CompleteWorkflow", result: "awake" }]);
  });

  it("never lets a generated timer id reuse one the code chose", () => {
    class Collides {
      *run(ctx: WorkflowContext) {
        yield ctx.startTimer(5, { timerId: "t1" });
        yield ctx.sleep(600);
        return "done";
      }
    }
    registerWorkflow(Collides, { name: "collides" });
    const run = new FakeRun(Collides);
    run.runTask();
    const { commands, finished } = run.fireTimer("t1").runTask();
    expect(finished).toBe(false);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ kind: "StartTimer", seconds: 600 });
    expect(commands[0]).not.toMatchObject({ timerId: "t1" });
  });
});

describe("replay: the workflow's end", () => {
  it("completes with null when run returns nothing", () => {
    class Empty {
      *run() {}
    }
    registerWorkflow(Empty, { name: "empty" });
    expect(new FakeRun(Empty).runTask()).toMatchObject({ commands: [{ kind: "CompleteWorkflow", result: null }], finished: true });
  });

  it("fails with the serialized failure when run throws", () => {
    class Thrower {
      *run() {
        yield new ScheduleActivity("check");
        throw new ApplicationFailure("out of stock", { type: "OutOfStock", details: { sku: "x" }, nonRetryable: true });
      }
    }
    registerWorkflow(Thrower, { name: "thrower" });
    const run = new FakeRun(Thrower);
    run.runTask();
    const { commands, finished } = run.completeActivity(1, null).runTask();
    expect(finished).toBe(true);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({
      kind: "FailWorkflow",
      failure: { name: "ApplicationFailure", type: "OutOfStock", message: "out of stock", details: { sku: "x" }, nonRetryable: true },
    });
  });

  it("fails with the ActivityFailure and its cause when the workflow does not catch it", () => {
    const run = new FakeRun(ChargeWorkflow, ["o-1"]);
    run.runTask();
    const { commands } = run.failActivity(1, new ApplicationFailure("declined", { type: "CardDeclined" }), 3).runTask();
    expect(commands[0]).toMatchObject({
      kind: "FailWorkflow",
      failure: {
        name: "ActivityFailure",
        type: "ActivityFailure",
        activityType: "charge-card",
        attempt: 3,
        cause: { name: "ApplicationFailure", type: "CardDeclined", message: "declined" },
      },
    });
  });

  it("fails the workflow task, not the workflow, when the code yields something that is not a command", () => {
    class Confused {
      *run() {
        yield "charge-card" as never;
      }
    }
    registerWorkflow(Confused, { name: "confused" });
    expect(() => new FakeRun(Confused).runTask()).toThrow(WorkflowTaskError);
  });
});
