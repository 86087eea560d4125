import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, ScheduleActivity, workflow, type WorkflowContext } from "@weft/sdk";
import { migrate, openDatabase, type Database } from "@weft/sql";
import { Worker } from "@weft/worker";

@workflow.defn({ name: "steps-and-sleep" })
class StepsAndSleep {
  *run(ctx: WorkflowContext) {
    let n = 0;
    for (let i = 0; i < 3; i++) {
      n = yield new ScheduleActivity("slowInc", [n]);
      yield ctx.sleep(1);
    }
    return n;
  }
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

// A PostgreSQL of its own (embedded), so restarting it disturbs no other test.
describe("a PostgreSQL restart", () => {
  let dataDir: string;
  let port: number;
  let database: Database;

  beforeAll(async () => {
    // Under .weft like the default embedded data: as root, PostgreSQL runs as a user that
    // cannot enter a private temporary directory.
    dataDir = path.resolve(".weft", `restart-test-${process.pid}`);
    database = await openDatabase({ dataDir: path.join(dataDir, "pg") });
    port = Number(new URL(database.url).port);
    await migrate(database.url);
  });
  afterAll(async () => {
    await database?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("leaves every workflow able to finish correctly", async () => {
    const worker = await Worker.create({
      databaseUrl: database.url,
      workflows: [StepsAndSleep],
      activities: { slowInc: async (_ctx, n: number) => (await new Promise((r) => setTimeout(r, 100)), n + 1) },
      logger: quiet,
      pollIntervalMs: 500,
    });
    const client = new Client({ databaseUrl: database.url });
    const handles = await Promise.all(Array.from({ length: 10 }, () => client.start(StepsAndSleep, [])));
    await new Promise((resolve) => setTimeout(resolve, 700)); // mid-activity, mid-sleep

    await database.stop();
    database = await openDatabase({ dataDir: path.join(dataDir, "pg"), port });

    for (const handle of handles) expect(await client.result(handle, { timeoutSeconds: 60 })).toBe(3);
    for (const handle of handles) {
      const completions = (await client.history(handle)).filter((e) => e.type === "ActivityCompleted");
      expect(completions.map((e) => e.attributes.activityId)).toEqual([1, 2, 3]);
    }
    await worker.shutdown();
    await client.close();
  });
});
