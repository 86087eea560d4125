// FakeRun plays the database's part in the replayer tests. The events it writes for commands
// are checked here against the histories the real engine recorded (fixtures/histories), so it
// cannot drift from weft.complete_workflow_task unnoticed.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { HistoryEvent, HistoryEventType } from "@weft/sdk";
import { parseHistory, replay, workflowDefinition } from "@weft/sdk/internal";
import { HISTORIES, RUN_ID, type SavedHistory } from "./fixtures/saved-history.js";
import { fixtureWorkflows } from "./fixtures/workflows.js";
import { commandsToEvents } from "./support/fake-run.js";

/** Events a task moves in from the inbox (docs/history-events.md); the others are its commands' events. */
const INCOMING = new Set<HistoryEventType>([
  "WorkflowStarted",
  "SignalReceived",
  "ActivityCompleted",
  "ActivityFailed",
  "TimerFired",
  "ChildWorkflowCompleted",
  "ChildWorkflowFailed",
  "WorkflowTerminated",
  "WorkflowTimedOut",
]);

/**
 * Leaves out what FakeRun makes up and the database assigns (times, run ids), marker values
 * (drawn anew when the checked task runs live) and stack traces (dropped by the recorder).
 */
function comparable(event: HistoryEvent): unknown {
  const { createdAt: _createdAt, ...rest } = event;
  const attributes: Record<string, unknown> = { ...rest.attributes };
  if (event.type === "TimerStarted") delete attributes.fireAt;
  if (event.type === "ChildWorkflowScheduled") delete attributes.runId;
  if (event.type === "WorkflowContinuedAsNew") delete attributes.newRunId;
  if (event.type === "MarkerRecorded") delete attributes.value;
  return withoutStacks({ ...rest, attributes });
}

function withoutStacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStacks);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "stack").map(([k, v]) => [k, withoutStacks(v)]));
}

const recorded = readdirSync(HISTORIES).filter((file) => file.endsWith(".json")).sort();
const definitions = new Map(fixtureWorkflows.map((cls) => [workflowDefinition(cls).name, workflowDefinition(cls)]));

describe("FakeRun against recorded histories", () => {
  for (const file of recorded) {
    it(`writes the command events the engine wrote in ${file}`, () => {
      const saved = JSON.parse(readFileSync(new URL(file, HISTORIES), "utf8")) as SavedHistory;
      const history = parseHistory(saved.history);
      const definition = definitions.get(saved.workflow)!;
      for (const task of new Set(history.map((e) => e.task))) {
        const before = history.filter((e) => e.task < task || (e.task === task && INCOMING.has(e.type)));
        const written = history.filter((e) => e.task === task && !INCOMING.has(e.type));
        const { commands } = replay(definition, before, { runId: RUN_ID, lastTaskIsNew: true });
        const faked = commandsToEvents(commands, before.length + 1, task);
        expect(faked.map(comparable), `task ${task}`).toEqual(written.map(comparable));
      }
    });
  }
});
