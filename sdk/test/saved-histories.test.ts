// Every saved history must keep replaying against today's code: a change to the replayer or
// to the fixture workflows that would break runs already in flight fails here. The histories
// are recorded from real runs (fixtures/histories/README.md); this test reads only the files.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseHistory, replay, workflowDefinition } from "@weft/sdk/internal";
import { HISTORIES, RUN_ID, type SavedHistory } from "./fixtures/saved-history.js";
import { fixtureWorkflows } from "./fixtures/workflows.js";

const files = readdirSync(HISTORIES, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".json")).sort();
const definitions = new Map(fixtureWorkflows.map((cls) => [workflowDefinition(cls).name, workflowDefinition(cls)]));

describe("saved histories", () => {
  it("has histories to replay, recorded ones and ones in the first event format", () => {
    expect(files.filter((file) => !file.includes("/")).length).toBeGreaterThanOrEqual(5);
    expect(files.filter((file) => file.startsWith("format-000001/")).length).toBeGreaterThanOrEqual(4);
  });

  for (const file of files) {
    it(`replays ${file}`, () => {
      const saved = JSON.parse(readFileSync(new URL(file, HISTORIES), "utf8")) as SavedHistory;
      const definition = definitions.get(saved.workflow);
      expect(definition, `no fixture workflow named "${saved.workflow}" in fixtures/workflows.ts`).toBeDefined();
      const result = replay(definition!, parseHistory(saved.history), { runId: RUN_ID, lastTaskIsNew: false });
      expect(result.finished).toBe(true);
      expect(result.commands).toEqual([]);
    });
  }
});
