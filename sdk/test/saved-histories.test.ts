// Every saved history must keep replaying against today's code: a change to the replayer or
// to the fixture workflows that would break runs already in flight fails here
// (fixtures/histories, recorded from fixtures/scenarios.ts).
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { workflowDefinition } from "@weft/sdk/internal";
import { replayHistory } from "@weft/sdk/testing";
import { RUN_ID } from "./support/fake-run.js";
import { fixtureWorkflows } from "./fixtures/workflows.js";

const HISTORIES = new URL("./fixtures/histories/", import.meta.url);
const files = readdirSync(HISTORIES).filter((file) => file.endsWith(".json")).sort();
const byName = new Map(fixtureWorkflows.map((cls) => [workflowDefinition(cls).name, cls]));

describe("saved histories", () => {
  it("has histories to replay", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    it(`replays ${file}`, () => {
      const saved = JSON.parse(readFileSync(new URL(file, HISTORIES), "utf8")) as { workflow: string; history: unknown };
      const cls = byName.get(saved.workflow);
      expect(cls, `no fixture workflow named "${saved.workflow}" in fixtures/workflows.ts`).toBeDefined();
      expect(replayHistory(cls!, saved.history, { runId: RUN_ID })).toEqual({ finished: true });
    });
  }
});
