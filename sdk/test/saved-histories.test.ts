// Every saved history must keep replaying against today's code: a change to the replayer or
// to the fixture workflows that would break runs already in flight fails here
// (fixtures/histories, recorded from fixtures/scenarios.ts).
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseHistory, replay, workflowDefinition } from "@weft/sdk";
import { RUN_ID } from "./support/fake-run.js";
import { fixtureWorkflows } from "./fixtures/workflows.js";

const HISTORIES = new URL("./fixtures/histories/", import.meta.url);
const files = readdirSync(HISTORIES).filter((file) => file.endsWith(".json")).sort();
const definitions = new Map(fixtureWorkflows.map((cls) => [workflowDefinition(cls).name, workflowDefinition(cls)]));

describe("saved histories", () => {
  it("has histories to replay", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    it(`replays ${file}`, () => {
      const saved = JSON.parse(readFileSync(new URL(file, HISTORIES), "utf8")) as { workflow: string; history: unknown };
      const definition = definitions.get(saved.workflow);
      expect(definition, `no fixture workflow named "${saved.workflow}" in fixtures/workflows.ts`).toBeDefined();
      const result = replay(definition!, parseHistory(saved.history), { runId: RUN_ID, lastTaskIsNew: false });
      expect(result.finished).toBe(true);
      expect(result.commands).toEqual([]);
    });
  }
});
