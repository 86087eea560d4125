// ctx.getVersion: how a run started under old code keeps its branch after a deploy, and how a
// new run takes the new one, without a non-determinism error either way.
import { describe, expect, it } from "vitest";
import {
  NonDeterminismError,
  registerWorkflow,
  ScheduleActivity,
  type HistoryEvent,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import { replay, workflowDefinition } from "@weft/sdk/internal";
import { FakeRun, RUN_ID } from "./support/fake-run.js";

/** Before the change: charge, then ship. */
class ShipV0 {
  *run(_ctx: WorkflowContext): WorkflowGenerator {
    yield new ScheduleActivity("charge");
    return yield new ScheduleActivity("ship");
  }
}
registerWorkflow(ShipV0, { name: "ship" });

/** After the change: a fraud check between the two, for runs that reach it under this code. */
class ShipV1 {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    yield new ScheduleActivity("charge");
    if (ctx.getVersion("fraud-check", 0, 1) >= 1) yield new ScheduleActivity("fraudCheck");
    ctx.getVersion("fraud-check", 0, 1); // asked twice: one marker, one answer
    return yield new ScheduleActivity("ship");
  }
}
registerWorkflow(ShipV1, { name: "ship" });

/** Every old run has closed: version 0 is no longer supported. */
class ShipV2 {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    yield new ScheduleActivity("charge");
    ctx.getVersion("fraud-check", 1, 1);
    yield new ScheduleActivity("fraudCheck");
    return yield new ScheduleActivity("ship");
  }
}
registerWorkflow(ShipV2, { name: "ship" });

/** The marker call removed altogether, the new branch kept. */
class ShipV3 {
  *run(_ctx: WorkflowContext): WorkflowGenerator {
    yield new ScheduleActivity("charge");
    yield new ScheduleActivity("fraudCheck");
    return yield new ScheduleActivity("ship");
  }
}
registerWorkflow(ShipV3, { name: "ship" });

/** Two changes in one task. */
class TwoChanges {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    ctx.getVersion("a", 0, 1);
    const b = ctx.getVersion("b", 0, 1);
    return yield new ScheduleActivity(b >= 1 ? "newStep" : "oldStep");
  }
}
registerWorkflow(TwoChanges, { name: "two-changes" });

/** The first change's call removed once no run followed its old version. */
class SecondChangeOnly {
  *run(ctx: WorkflowContext): WorkflowGenerator {
    const b = ctx.getVersion("b", 0, 1);
    return yield new ScheduleActivity(b >= 1 ? "newStep" : "oldStep");
  }
}
registerWorkflow(SecondChangeOnly, { name: "two-changes" });

const replayAll = (cls: typeof ShipV0, history: HistoryEvent[]) =>
  replay(workflowDefinition(cls), history, { runId: RUN_ID, lastTaskIsNew: false });

const activityTypes = (history: HistoryEvent[]) =>
  history.flatMap((e) => (e.type === "ActivityScheduled" ? [e.attributes.activityType] : []));

/** A run of `cls` to its end, each activity completing in its own task. */
function runToEnd(cls: typeof ShipV0): HistoryEvent[] {
  const run = new FakeRun(cls);
  run.runTask();
  for (let id = 1; !run.completeActivity(id, `r${id}`).runTask().finished; id++);
  return run.history;
}

describe("ctx.getVersion", () => {
  it("records the newest version in a new run, once per change id, and replays it", () => {
    const history = runToEnd(ShipV1);
    expect(activityTypes(history)).toEqual(["charge", "fraudCheck", "ship"]);
    const markers = history.filter((e) => e.type === "VersionMarkerRecorded");
    expect(markers.map((e) => e.attributes)).toEqual([{ changeId: "fraud-check", version: 1 }]);
    expect(replayAll(ShipV1, history).finished).toBe(true);
  });

  it("gives version 0 to a run that passed the change under older code, in replay and after", () => {
    const run = new FakeRun(ShipV0);
    run.runTask();
    run.completeActivity(1, "charged").runTask(); // ShipV0 scheduled ship: the run is past the change
    const last = run.deploy(ShipV1).completeActivity(2, "shipped").runTask();
    expect(last.commands).toEqual([{ kind: "CompleteWorkflow", result: "shipped" }]);
    expect(run.history.some((e) => e.type === "VersionMarkerRecorded")).toBe(false);
  });

  it("fails the task, naming the version and change, when the code dropped a version a run follows", () => {
    const old = new FakeRun(ShipV0);
    old.runTask();
    old.completeActivity(1, "charged").runTask();
    const error = (() => {
      try {
        replayAll(ShipV2, old.history);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toMatch(/version 0 of change "fraud-check".*supports 1\.\.1/);
  });

  it("replays a recorded marker when the code no longer asks for it", () => {
    const history = runToEnd(ShipV1);
    expect(replayAll(ShipV3, history).finished).toBe(true);
    expect(replayAll(ShipV2, history).finished).toBe(true);
  });

  it("finds a marker by its change id when an earlier marker's call was removed", () => {
    const run = new FakeRun(TwoChanges);
    run.runTask();
    expect(run.history.filter((e) => e.type === "VersionMarkerRecorded")).toHaveLength(2);
    expect(replay(workflowDefinition(SecondChangeOnly), run.history, { runId: RUN_ID, lastTaskIsNew: false }).finished).toBe(false);
    const last = run.deploy(SecondChangeOnly).completeActivity(1, "done").runTask();
    expect(last.commands).toEqual([{ kind: "CompleteWorkflow", result: "done" }]);
  });

  it("still detects a changed command next to a marker", () => {
    expect(() => replayAll(ShipV0, runToEnd(ShipV1))).toThrow(NonDeterminismError);
  });
});
