// Signals reach their handlers in history order, before the run loop resumes in the same task,
// which is what lets waitCondition predicates see the state the handlers set.
import { describe, expect, it } from "vitest";
import { registerWorkflow, ScheduleActivity, workflow, type WorkflowContext } from "@weft/sdk";
import { FakeRun } from "./support/fake-run.js";

/** Records what the handlers and the run loop saw, in the order they saw it. */
@workflow.defn({ name: "journal" })
class Journal {
  log: string[] = [];
  @workflow.signal("note")
  onNote(text: string) {
    this.log.push(`signal:${text}`);
  }
  *run(ctx: WorkflowContext) {
    this.log.push("run:start");
    yield ctx.sleep(10);
    this.log.push(`run:woke after ${this.log.filter((l) => l.startsWith("signal")).length} signals`);
    return this.log;
  }
}

describe("signals", () => {
  it("delivers a signal sent before the first task to the handler before run starts", () => {
    const run = new FakeRun(Journal).signal("note", "early");
    run.runTask();
    const { commands } = run.fireTimer("t1").runTask();
    expect(commands).toEqual([
      { kind: "CompleteWorkflow", result: ["signal:early", "run:start", "run:woke after 1 signals"] },
    ]);
  });

  it("delivers signals in history order before the run loop resumes in that task", () => {
    const run = new FakeRun(Journal);
    run.runTask();
    run.signal("note", "a").fireTimer("t1").signal("note", "b");
    const { commands } = run.runTask();
    expect(commands).toEqual([
      { kind: "CompleteWorkflow", result: ["run:start", "signal:a", "signal:b", "run:woke after 2 signals"] },
    ]);
  });

  it("reports a signal with no handler in unhandledSignals without failing the task", () => {
    const run = new FakeRun(Journal);
    run.runTask();
    const result = run.signal("nudge", 1).signal("note", "kept").runTask();
    expect(result.unhandledSignals).toEqual([{ eventId: 3, signalName: "nudge" }]);
    expect(result).toMatchObject({ commands: [], finished: false });
    // Reported once, by the task that received it; later tasks replay it silently.
    expect(run.fireTimer("t1").runTask().unhandledSignals).toEqual([]);
  });

  it("fails the workflow when a signal handler throws", () => {
    class Strict {
      onApprove(by: unknown) {
        if (typeof by !== "string") throw new TypeError("approve needs a name");
      }
      *run(ctx: WorkflowContext) {
        yield ctx.sleep(60);
      }
    }
    registerWorkflow(Strict, { name: "strict", signals: { approve: "onApprove" } });
    const run = new FakeRun(Strict);
    run.runTask();
    const { commands, finished } = run.signal("approve", 42).runTask();
    expect(finished).toBe(true);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ kind: "FailWorkflow", failure: { type: "TypeError", message: "approve needs a name" } });
  });
});

@workflow.defn({ name: "gate" })
class Gate {
  approvedBy: string | undefined;
  @workflow.signal("approve")
  onApprove(by: string) {
    this.approvedBy = by;
  }
  *run(ctx: WorkflowContext, timeoutSeconds?: number) {
    const approved: boolean = yield ctx.waitCondition(() => this.approvedBy !== undefined, { timeoutSeconds });
    if (!approved) return "timed out";
    yield new ScheduleActivity("open-gate", [this.approvedBy]);
    return `opened by ${this.approvedBy}`;
  }
}

describe("waitCondition", () => {
  it("waits without commands until a signal makes the predicate true", () => {
    const run = new FakeRun(Gate);
    expect(run.runTask()).toMatchObject({ commands: [], finished: false });
    const { commands } = run.signal("approve", "ada").runTask();
    expect(commands).toMatchObject([{ kind: "ScheduleActivity", activityType: "open-gate", args: ["ada"] }]);
    expect(run.completeActivity(1, null).runTask().commands).toEqual([{ kind: "CompleteWorkflow", result: "opened by ada" }]);
  });

  it("resolves at once when a signal before the first task already made the predicate true", () => {
    const { commands } = new FakeRun(Gate).signal("approve", "bob").runTask();
    expect(commands).toMatchObject([{ kind: "ScheduleActivity", activityType: "open-gate", args: ["bob"] }]);
  });

  it("starts a timer for timeoutSeconds and resolves false when it fires", () => {
    const run = new FakeRun(Gate, [90.5]);
    expect(run.runTask().commands).toEqual([{ kind: "StartTimer", timerId: "t1", seconds: 91 }]);
    expect(run.fireTimer("t1").runTask().commands).toEqual([{ kind: "CompleteWorkflow", result: "timed out" }]);
  });

  it("resolves true when the signal comes before the timeout, and ignores the timer after", () => {
    const run = new FakeRun(Gate, [60]);
    run.runTask();
    expect(run.signal("approve", "cy").runTask().commands).toMatchObject([{ kind: "ScheduleActivity", args: ["cy"] }]);
    expect(run.fireTimer("t1").runTask()).toMatchObject({ commands: [], finished: false });
    expect(run.completeActivity(1, null).runTask().commands).toEqual([{ kind: "CompleteWorkflow", result: "opened by cy" }]);
  });

  it("prefers the predicate when the signal and the timeout arrive in the same task", () => {
    const run = new FakeRun(Gate, [60]);
    run.runTask();
    const { commands } = run.fireTimer("t1").signal("approve", "dee").runTask();
    expect(commands).toMatchObject([{ kind: "ScheduleActivity", args: ["dee"] }]);
  });

  it("fails the workflow on an invalid timeout, as ctx.sleep does", () => {
    class BadTimeout {
      *run(ctx: WorkflowContext) {
        yield ctx.waitCondition(() => false, { timeoutSeconds: -1 });
      }
    }
    registerWorkflow(BadTimeout, { name: "bad-timeout" });
    const { commands } = new FakeRun(BadTimeout).runTask();
    expect(commands).toMatchObject([{ kind: "FailWorkflow", failure: { type: "RangeError" } }]);
  });

  it("fails the workflow on an invalid sleep", () => {
    class BadSleep {
      *run(ctx: WorkflowContext) {
        yield ctx.sleep(-1);
      }
    }
    registerWorkflow(BadSleep, { name: "bad-sleep" });
    const { commands } = new FakeRun(BadSleep).runTask();
    expect(commands).toMatchObject([{ kind: "FailWorkflow", failure: { type: "RangeError" } }]);
  });
});
