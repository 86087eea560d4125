// A history recorded by one version of a workflow, replayed by edited versions. Any edit that
// changes what the code yields where history recorded something must raise
// NonDeterminismError naming both sides and the event, never quietly diverge.
import { beforeAll, describe, expect, it } from "vitest";
import {
  NonDeterminismError,
  registerWorkflow,
  ScheduleActivity,
  type HistoryEvent,
  type WorkflowClass,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import { replay, workflowDefinition } from "@weft/sdk/internal";
import { FakeRun, RUN_ID } from "./support/fake-run.js";

class OrderV1 {
  *run(ctx: WorkflowContext) {
    const [stock]: [string, unknown] = yield [new ScheduleActivity("reserve"), new ScheduleActivity("audit")];
    yield ctx.sleep(5);
    const receipt: string = yield new ScheduleActivity("charge", [stock]);
    return receipt;
  }
}
registerWorkflow(OrderV1, { name: "order" });

/** The history OrderV1 leaves, events numbered as the database numbers them:
 *  task 1: 1 WorkflowStarted, 2 ActivityScheduled(reserve), 3 ActivityScheduled(audit)
 *  task 2: 4-5 ActivityCompleted, 6 TimerStarted(t1)
 *  task 3: 7 TimerFired, 8 ActivityScheduled(charge)
 *  task 4: 9 ActivityCompleted, 10 WorkflowCompleted */
function recordOrderV1(): HistoryEvent[] {
  const run = new FakeRun(OrderV1);
  run.runTask();
  run.completeActivity(1, "stock-1").completeActivity(2, null).runTask();
  run.fireTimer("t1").runTask();
  expect(run.completeActivity(3, "receipt-1").runTask().finished).toBe(true);
  return run.history;
}

/** Replays all of `history` through `cls` as a replay test does, checking every task. */
function replayAll(cls: WorkflowClass, history: readonly HistoryEvent[]) {
  return replay(workflowDefinition(cls), history, { runId: RUN_ID, lastTaskIsNew: false });
}

function nonDeterminism(fn: () => unknown): NonDeterminismError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NonDeterminismError);
    return error as NonDeterminismError;
  }
  throw new Error("expected a NonDeterminismError, but replay succeeded");
}

/** A variant of OrderV1 under the same workflow name. */
function variant(run: (ctx: WorkflowContext) => WorkflowGenerator): WorkflowClass {
  const cls = class {
    run = run;
  } as unknown as WorkflowClass;
  return registerWorkflow(cls, { name: "order" });
}

describe("determinism", () => {
  let history: HistoryEvent[];
  beforeAll(() => {
    history = recordOrderV1();
  });

  it("replays the original code cleanly", () => {
    expect(history.map((e) => `${e.task}:${e.eventId}:${e.type}`)).toEqual([
      "1:1:WorkflowStarted",
      "1:2:ActivityScheduled",
      "1:3:ActivityScheduled",
      "2:4:ActivityCompleted",
      "2:5:ActivityCompleted",
      "2:6:TimerStarted",
      "3:7:TimerFired",
      "3:8:ActivityScheduled",
      "4:9:ActivityCompleted",
      "4:10:WorkflowCompleted",
    ]);
    expect(replayAll(OrderV1, history)).toEqual({ commands: [], unhandledSignals: [], finished: true });
  });

  it("rejects a renamed activity type", () => {
    const renamed = variant(function* () {
      yield [new ScheduleActivity("reserve-stock"), new ScheduleActivity("audit")];
    });
    const error = nonDeterminism(() => replayAll(renamed, history));
    expect(error.message).toBe(
      "history has ActivityScheduled(reserve, id 1) at event 2, but the workflow code now yields ScheduleActivity(reserve-stock, id 1)",
    );
    expect(error.eventId).toBe(2);
  });

  it("rejects commands in a different order", () => {
    const reordered = variant(function* () {
      yield [new ScheduleActivity("audit"), new ScheduleActivity("reserve")];
    });
    const error = nonDeterminism(() => replayAll(reordered, history));
    expect(error.message).toMatch(/history has ActivityScheduled\(reserve, id 1\) at event 2, .*yields ScheduleActivity\(audit, id 1\)/);
    expect(error.eventId).toBe(2);
  });

  it("rejects an extra command where history has a different one", () => {
    const extraSleep = variant(function* (ctx) {
      const [stock] = (yield [new ScheduleActivity("reserve"), new ScheduleActivity("audit")]) as [string, unknown];
      yield ctx.sleep(5);
      yield ctx.sleep(5);
      return yield new ScheduleActivity("charge", [stock]);
    });
    const error = nonDeterminism(() => replayAll(extraSleep, history));
    expect(error.message).toBe(
      "history has ActivityScheduled(charge, id 3) at event 8, but the workflow code now yields StartTimer(t2)",
    );
    expect(error.eventId).toBe(8);
  });

  it("rejects an extra command after the last one history recorded in a task", () => {
    const extraActivity = variant(function* () {
      yield [new ScheduleActivity("reserve"), new ScheduleActivity("audit"), new ScheduleActivity("notify")];
    });
    const error = nonDeterminism(() => replayAll(extraActivity, history));
    expect(error.message).toBe(
      "the workflow code yields ScheduleActivity(notify, id 3) in task 1, but history recorded no further command there (last event 3)",
    );
    expect(error.eventId).toBe(3);
  });

  it("rejects a missing command that history recorded", () => {
    const missingAudit = variant(function* () {
      yield new ScheduleActivity("reserve");
    });
    const error = nonDeterminism(() => replayAll(missingAudit, history));
    expect(error.message).toBe(
      "history has ActivityScheduled(audit, id 2) at event 3 (task 1), but the workflow code no longer yields it there",
    );
    expect(error.eventId).toBe(3);
  });

  it("rejects a timer replaced by an activity", () => {
    const noSleep = variant(function* () {
      const [stock] = (yield [new ScheduleActivity("reserve"), new ScheduleActivity("audit")]) as [string, unknown];
      return yield new ScheduleActivity("charge", [stock]);
    });
    const error = nonDeterminism(() => replayAll(noSleep, history));
    expect(error.message).toBe("history has TimerStarted(t1) at event 6, but the workflow code now yields ScheduleActivity(charge, id 3)");
  });

  it("rejects a different ending than the recorded completion", () => {
    const fails = variant(function* (ctx) {
      yield [new ScheduleActivity("reserve"), new ScheduleActivity("audit")];
      yield ctx.sleep(5);
      yield new ScheduleActivity("charge");
      throw new Error("changed my mind");
    });
    const error = nonDeterminism(() => replayAll(fails, history));
    expect(error.message).toBe("history has WorkflowCompleted at event 10, but the workflow code now yields FailWorkflow");
  });

  it("raises it in the worker's mode too, instead of deciding new commands", () => {
    const renamed = variant(function* () {
      yield [new ScheduleActivity("reserve-stock"), new ScheduleActivity("audit")];
    });
    // Tasks 1-2 recorded, task 3's TimerFired just moved in: only task 3 is new.
    const upToTask3 = history.filter((e) => e.task < 3 || e.type === "TimerFired");
    expect(replay(workflowDefinition(OrderV1), upToTask3, { runId: RUN_ID }).commands).toMatchObject([
      { kind: "ScheduleActivity", activityType: "charge", args: ["stock-1"] },
    ]);
    expect(() => replay(workflowDefinition(renamed), upToTask3, { runId: RUN_ID })).toThrow(NonDeterminismError);
  });
});

describe("determinism of side effects", () => {
  class PickV1 {
    *run(ctx: WorkflowContext) {
      const pick = ctx.random();
      yield new ScheduleActivity("pick", [pick]);
      return pick;
    }
  }
  registerWorkflow(PickV1, { name: "pick" });

  function recordPick(): HistoryEvent[] {
    const run = new FakeRun(PickV1);
    run.runTask();
    run.completeActivity(1, null).runTask();
    return run.history;
  }

  it("rethrows a NonDeterminismError from ctx.random even when the workflow catches it", () => {
    let swallowed: unknown;
    class Swallows {
      *run(ctx: WorkflowContext) {
        try {
          ctx.uuid4();
        } catch (error) {
          swallowed = error;
        }
        yield new ScheduleActivity("pick", [0]);
      }
    }
    registerWorkflow(Swallows, { name: "pick" });
    const error = nonDeterminism(() => replayAll(Swallows, recordPick()));
    expect(swallowed).toBe(error);
    expect(error.message).toBe("history has MarkerRecorded(random) at event 2, but the workflow code now yields RecordSideEffect(uuid4)");
  });

  it("rethrows it even when the workflow turns it into its own failure", () => {
    class Rethrows {
      *run(ctx: WorkflowContext) {
        try {
          ctx.sideEffect(() => 1, "coin");
        } catch {
          throw new Error("not a determinism problem, honest");
        }
        yield new ScheduleActivity("pick", [0]);
      }
    }
    registerWorkflow(Rethrows, { name: "pick" });
    const error = nonDeterminism(() => replayAll(Rethrows, recordPick()));
    expect(error.message).toBe("history has MarkerRecorded(random) at event 2, but the workflow code now yields RecordSideEffect(coin)");
  });

  it("rejects a side effect the history never recorded", () => {
    class ExtraRandom {
      *run(ctx: WorkflowContext) {
        const pick = ctx.random();
        yield new ScheduleActivity("pick", [pick]);
        return ctx.random();
      }
    }
    registerWorkflow(ExtraRandom, { name: "pick" });
    const error = nonDeterminism(() => replayAll(ExtraRandom, recordPick()));
    expect(error.message).toBe("history has WorkflowCompleted at event 5, but the workflow code now yields RecordSideEffect(random)");
    expect(error.eventId).toBe(5);
  });

  /** Keeps ctx so signal handlers can use it; the handler's marker lands in the signal's task. */
  class PingV1 {
    ctx: WorkflowContext | undefined;
    onPing() {
      this.ctx?.random();
    }
    *run(ctx: WorkflowContext) {
      this.ctx = ctx;
      yield ctx.sleep(60);
    }
  }
  registerWorkflow(PingV1, { name: "ping", signals: { ping: "onPing" } });

  /** task 1: 1 WorkflowStarted, 2 TimerStarted(t1); task 2: 3 SignalReceived(ping), 4 MarkerRecorded(random) */
  function recordPing(): HistoryEvent[] {
    const run = new FakeRun(PingV1);
    run.runTask();
    expect(run.signal("ping").runTask().commands).toMatchObject([{ kind: "RecordSideEffect", markerName: "random" }]);
    return run.history;
  }

  it("rethrows a NonDeterminismError that a signal handler swallows", () => {
    class Swallows extends PingV1 {
      override onPing() {
        try {
          this.ctx?.uuid4();
        } catch {
          // ignored on purpose: the replayer must not let this hide the divergence
        }
      }
    }
    registerWorkflow(Swallows, { name: "ping", signals: { ping: "onPing" } });
    const error = nonDeterminism(() => replayAll(Swallows, recordPing()));
    expect(error.eventId).toBe(4);
  });

  it("reports the signal handler's own divergence, not a FailWorkflow that follows it", () => {
    class Changed extends PingV1 {
      override onPing() {
        this.ctx?.uuid4();
      }
    }
    registerWorkflow(Changed, { name: "ping", signals: { ping: "onPing" } });
    const error = nonDeterminism(() => replayAll(Changed, recordPing()));
    expect(error.message).toBe("history has MarkerRecorded(random) at event 4, but the workflow code now yields RecordSideEffect(uuid4)");
  });
});
