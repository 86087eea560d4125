// Drives each scenario behind the saved histories with today's code; with
// WEFT_RECORD_HISTORIES=1 it also writes them (for new files: see fixtures/scenarios.ts).
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type HistoryEvent } from "@weft/sdk";
import { workflowDefinition } from "@weft/sdk/internal";
import { scenarios } from "./fixtures/scenarios.js";

const RECORD = process.env.WEFT_RECORD_HISTORIES === "1";
const HISTORIES = new URL("./fixtures/histories/", import.meta.url);

/** Stack traces name the recording machine's paths and change on every run; replay never reads them. */
function withoutStacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStacks);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "stack").map(([k, v]) => [k, withoutStacks(v)]));
}

describe("recorded scenarios", () => {
  for (const [file, scenario] of Object.entries(scenarios)) {
    it(`${file}: runs to a closed workflow`, () => {
      const run = scenario();
      const last = run.history.at(-1) as HistoryEvent;
      expect(["WorkflowCompleted", "WorkflowFailed", "WorkflowContinuedAsNew"]).toContain(last.type);
      if (RECORD) {
        const saved = { workflow: workflowDefinition(run.cls).name, history: withoutStacks(run.history) };
        writeFileSync(new URL(file, HISTORIES), `${JSON.stringify(saved, null, 2)}\n`);
      }
    });
  }
});
