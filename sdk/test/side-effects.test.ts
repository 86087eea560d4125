// ctx.random/uuid4/now/sideEffect run once, are recorded as markers, and replay verbatim: a
// second execution must never call the function again or see a different value.
import { describe, expect, it } from "vitest";
import { registerWorkflow, ScheduleActivity, type Logger, type WorkflowContext } from "@weft/sdk";
import { replay, workflowDefinition } from "@weft/sdk/internal";
import { FakeRun, RUN_ID } from "./support/fake-run.js";

let sideEffectCalls = 0;
let seen: unknown[] = [];

class Lottery {
  *run(ctx: WorkflowContext) {
    const values = {
      random: ctx.random(),
      uuid: ctx.uuid4(),
      now: ctx.now().toISOString(),
      ticket: ctx.sideEffect(() => {
        sideEffectCalls++;
        return { ticket: 7, drawnAt: new Date(0) };
      }, "ticket"),
    };
    seen.push(values);
    yield new ScheduleActivity("announce", [values.ticket]);
    return values;
  }
}
registerWorkflow(Lottery, { name: "lottery" });

describe("side effects", () => {
  it("records each value as a RecordSideEffect command on first execution", () => {
    sideEffectCalls = 0;
    const { commands } = new FakeRun(Lottery).runTask();
    expect(commands.map((c) => c.kind === "RecordSideEffect" && c.markerName)).toEqual(["random", "uuid4", "now", "ticket", false]);
    const [random, uuid, now, ticket] = commands.map((c) => (c.kind === "RecordSideEffect" ? c.value : undefined));
    expect(random).toEqual(expect.any(Number));
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(now).toEqual(expect.any(Number));
    // Recorded as JSON, the same value a later replay will read back.
    expect(ticket).toEqual({ ticket: 7, drawnAt: "1970-01-01T00:00:00.000Z" });
    expect(sideEffectCalls).toBe(1);
  });

  it("replays exactly the recorded values without calling the function again", () => {
    const run = new FakeRun(Lottery);
    seen = [];
    run.runTask();
    sideEffectCalls = 0;
    const { commands } = run.completeActivity(1, null).runTask();
    expect(sideEffectCalls).toBe(0);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual(seen[0]);
    expect(commands).toEqual([{ kind: "CompleteWorkflow", result: seen[0] }]);
  });

  it("returns the recorded values when the history holds values the code could not produce", () => {
    const run = new FakeRun(Lottery);
    run.runTask();
    // Edit the markers as if another process had recorded them: replay must return these.
    for (const event of run.history) {
      if (event.type !== "MarkerRecorded") continue;
      const forced: Record<string, unknown> = { random: 0.25, uuid4: "fixed-uuid", now: 86_400_000, ticket: "forced" };
      event.attributes.value = forced[event.attributes.markerName];
    }
    seen = [];
    sideEffectCalls = 0;
    run.completeActivity(1, null).runTask();
    expect(sideEffectCalls).toBe(0);
    expect(seen).toEqual([{ random: 0.25, uuid: "fixed-uuid", now: "1970-01-02T00:00:00.000Z", ticket: "forced" }]);
  });
});

describe("replay-aware logging", () => {
  it("logs a line once, when the code first runs, and stays silent on replay", () => {
    class Chatty {
      *run(ctx: WorkflowContext) {
        ctx.logger.info("charging", { step: 1 });
        yield ctx.sleep(1);
        ctx.logger.info("charged");
      }
    }
    registerWorkflow(Chatty, { name: "chatty" });
    const lines: string[] = [];
    const logger: Logger = { debug() {}, info: (message) => lines.push(message), warn() {}, error() {} };
    const run = new FakeRun(Chatty);
    run.runTask();
    run.fireTimer("t1").runTask();
    lines.length = 0;
    // Replaying the whole finished run logs nothing.
    replay(workflowDefinition(Chatty), run.history, { runId: RUN_ID, logger, lastTaskIsNew: false });
    expect(lines).toEqual([]);
    // Replaying with the last task new logs only that task's line.
    replay(workflowDefinition(Chatty), run.history.filter((e) => e.task < 2 || e.type === "TimerFired"), { runId: RUN_ID, logger });
    expect(lines).toEqual(["charged"]);
  });
});
