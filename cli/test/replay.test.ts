// `weft replay` on the saved histories that sdk/test/saved-histories.test.ts replays, written
// as `weft workflow history --json` exports them, against a module of the fixture workflows
// they were recorded with: all pass; a deliberately changed workflow fails, naming the command
// and the file. No database.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileWorkflowModule, type CompiledModule } from "./support/workflow-module.js";
import { weft } from "./support/weft.js";

const FIXTURES = new URL("../../sdk/test/fixtures/", import.meta.url);
const HISTORIES = new URL("histories/", FIXTURES);
/** The fixture module exports `fixtureWorkflows`; a worker module exports `workflows`. */
const AS_WORKER_MODULE = "\nexport const workflows = fixtureWorkflows;\n";

describe("weft replay", () => {
  let today: CompiledModule;
  let changed: CompiledModule;
  let exports: string[];

  beforeAll(() => {
    today = compileWorkflowModule(new URL("workflows.ts", FIXTURES), { append: AS_WORKER_MODULE });
    changed = compileWorkflowModule(new URL("workflows.ts", FIXTURES), {
      append: AS_WORKER_MODULE,
      edit: (source) => {
        const edited = source.replace('ctx.activity<string>("reserve-stock"', 'ctx.activity<string>("reserve-inventory"');
        expect(edited).not.toBe(source);
        return edited;
      },
    });
    // Each saved file is { workflow, history }; an export is the server's history answer.
    const exportDir = join(today.dir, "histories");
    mkdirSync(exportDir);
    const saved = readdirSync(HISTORIES, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".json")).sort();
    exports = saved.map((file) => {
      const { history } = JSON.parse(readFileSync(new URL(file, HISTORIES), "utf8")) as { history: unknown[] };
      const target = join(exportDir, file.replaceAll("/", "--"));
      writeFileSync(target, JSON.stringify({ events: history, nextPageToken: null }));
      return target;
    });
  });
  afterAll(() => {
    today?.remove();
    changed?.remove();
  });

  it("passes every saved history through the workflows they were recorded with", async () => {
    expect(exports.length).toBeGreaterThanOrEqual(9);
    const replayed = await weft(["replay", ...exports, "--module", today.file]);
    expect(replayed.code, replayed.stderr).toBe(0);
    const lines = replayed.stdout.trimEnd().split("\n");
    expect(lines.every((line) => / \([a-z-]+, \d+ events\)$/.test(line))).toBe(true);
    expect(lines.map((line) => line.replace(/ \(.*\)$/, ""))).toEqual(exports.map((file) => `ok    ${file}`));
  });

  it("fails on a changed workflow, naming the file and the command the code now yields", async () => {
    const order = exports.filter((file) => file.endsWith("order-completed.json"));
    expect(order).toHaveLength(2); // the recorded one and the one in the first event format
    const replayed = await weft(["replay", ...exports, "--module", changed.file]);
    expect(replayed.code).toBe(1);
    for (const file of order) {
      expect(replayed.stderr).toContain(
        `FAIL  ${file}: history has ActivityScheduled(reserve-stock, id 1) at event 3, but the workflow code now yields ScheduleActivity(reserve-inventory, id 1)`,
      );
    }
    expect(replayed.stderr).toMatch(/weft: 2 of \d+ histories diverge from this code: .*ctx\.getVersion/);
    expect(replayed.stdout).toMatch(/^ok {4}.*approval-timed-out\.json/m);
  });

  it("refuses, with exit code 2, a file that is not an export and a workflow the module lacks", async () => {
    const bare = join(today.dir, "bare.json");
    writeFileSync(bare, JSON.stringify([]));
    const notExport = await weft(["replay", bare, "--module", today.file]);
    expect(notExport.code).toBe(2);
    expect(notExport.stderr).toContain(`${bare} is not an exported history, which is { "events": [...], "nextPageToken": null }`);

    const page = join(today.dir, "page.json");
    writeFileSync(page, JSON.stringify({ events: [], nextPageToken: "3" }));
    expect((await weft(["replay", page, "--module", today.file])).stderr).toMatch(/one page of a longer history/);

    const orders = exports.find((file) => file.endsWith("order-completed.json"))!;
    const other = compileWorkflowModule(new URL("./fixtures/workflows.ts", import.meta.url));
    try {
      const missing = await weft(["replay", orders, "--module", other.file]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/exports no workflow named "order" \(it exports: approval, doomed\)/);
    } finally {
      other.remove();
    }
  });
});
