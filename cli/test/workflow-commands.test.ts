// `weft workflow ...` and `weft apikey ...` as a user runs them: the built CLI in a child
// process against a real server and worker on a test database, its output and exit codes.
import { createServer } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, startServer, type WeftServer } from "@weft/server";
import { Worker } from "@weft/worker";
import { createTestDatabase, type TestDatabase } from "../../sql/test/support/database.js";
import { activities, workflows } from "./fixtures/workflows.js";
import { compileWorkflowModule } from "./support/workflow-module.js";
import { weft } from "./support/weft.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("weft workflow and weft apikey, over HTTP", () => {
  let db: TestDatabase;
  let server: WeftServer;
  let worker: Worker;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startServer({ databaseUrl: db.url, port: 0, logRequests: false });
    worker = await Worker.create({ databaseUrl: db.url, workflows, activities, logger: quiet });
    const admin = (await createApiKey(db.pool, "default", "cli tests", "admin")).secret;
    env = { WEFT_ADDRESS: server.url, WEFT_API_KEY: admin };
  });
  afterAll(async () => {
    await worker?.shutdown();
    await server?.close();
    await db?.drop();
  });

  const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

  it("starts a workflow, waits for its result and lists it, as the server's JSON", async () => {
    const started = await weft(["workflow", "start", "approval", "--args", '["laptop"]', "--workflow-id", "approval-1", "--json"], env);
    expect(started.code, started.stderr).toBe(0);
    const { runId } = json(started.stdout);
    expect(json(started.stdout)).toEqual({ workflowId: "approval-1", runId: expect.any(String) });

    const waiting = weft(["workflow", "result", "approval-1", "--json"], env);
    const signalled = await weft(["workflow", "signal", "approval-1", "decide", "--args", '["approved"]'], env);
    expect(signalled).toMatchObject({ code: 0, stdout: "sent signal decide to approval-1\n" });
    const result = await waiting;
    expect(result.code, result.stderr).toBe(0);
    expect(json(result.stdout)).toEqual({ status: "completed", runId, result: "laptop: approved" });
    expect(result.stderr).toBe(""); // no spinner: stderr is not a terminal

    const listed = await weft(["workflow", "list", "--workflow-type", "approval", "--json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    const direct = await fetch(`${server.url}/api/v1/namespaces/default/workflows?workflowType=approval`, {
      headers: { authorization: `Bearer ${env.WEFT_API_KEY}` },
    });
    expect(json(listed.stdout)).toEqual(await direct.json());
    expect((json(listed.stdout).workflows as { workflowId: string }[]).map((w) => w.workflowId)).toEqual(["approval-1"]);

    const human = await weft(["workflow", "result", "approval-1"], env);
    expect(human).toMatchObject({ code: 0, stdout: '"laptop: approved"\n' });
  });

  it("creates and lists namespaces, and a workflow started in one is not seen in another", async () => {
    const created = await weft(["namespace", "create", "cli-team", "--retention-days", "7", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    expect(json(created.stdout)).toMatchObject({ name: "cli-team", retentionDays: 7 });
    expect((await weft(["namespace", "create", "cli-team"], env)).code).toBe(4); // exists already
    const listed = await weft(["namespace", "list"], env);
    expect(listed.stdout).toMatch(/^cli-team\s+7\s+/m);
    const key = await weft(["apikey", "create", "--namespace", "cli-team", "--name", "team", "--role", "write"], env);
    expect(key.code, key.stderr).toBe(0);
    const teamEnv = { ...env, WEFT_API_KEY: key.stdout.trim() };
    const runs = await weft(["workflow", "list", "--namespace", "cli-team", "--json"], teamEnv);
    expect(json(runs.stdout)).toEqual({ workflows: [], nextPageToken: null });
    expect((await weft(["workflow", "list", "--json"], teamEnv)).code).toBe(4); // its key is refused in default
  });

  it("prints list as an aligned table and describe as key: value lines", async () => {
    const listed = await weft(["workflow", "list", "--workflow-type", "approval"], env);
    expect(listed.code, listed.stderr).toBe(0);
    const [header, row, ...rest] = listed.stdout.trimEnd().split("\n");
    expect(rest).toEqual([]);
    expect(header).toMatch(/^WORKFLOW ID\s+TYPE\s+STATUS\s+STARTED\s+CLOSED\s+RUN ID$/);
    expect(row).toMatch(/^approval-1\s+approval\s+completed\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\d{4}-.+Z\s+[0-9a-f-]{36}$/);
    expect(row!.indexOf(" approval ") + 1).toBe(header!.indexOf("TYPE"));
    expect(row!.indexOf("completed")).toBe(header!.indexOf("STATUS"));
    expect(row!.length - 36).toBe(header!.indexOf("RUN ID"));

    const described = await weft(["workflow", "describe", "approval-1"], env);
    expect(described.code, described.stderr).toBe(0);
    const lines = described.stdout.trimEnd().split("\n");
    expect(lines.some((l) => /^workflow id:\s+approval-1$/.test(l))).toBe(true);
    expect(lines.some((l) => /^status:\s+completed$/.test(l))).toBe(true);
    expect(lines.some((l) => /^result:\s+"laptop: approved"$/.test(l))).toBe(true);
    const valueColumns = new Set(lines.map((l) => /^[a-z ]+:\s+/.exec(l)![0].length));
    expect(valueColumns.size).toBe(1); // every value starts in the same column
  });

  it("exits 1 with the failure when the run failed, and 6 when it is still running at --timeout-seconds", async () => {
    await weft(["workflow", "start", "doomed", "--args", '["out of stock"]', "--workflow-id", "doomed-1"], env);
    const failed = await weft(["workflow", "result", "doomed-1"], env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toMatch(/^weft: doomed-1 failed \(run [0-9a-f-]{36}\): out of stock \(Doomed\); weft workflow history doomed-1 --run-id/);
    const asJson = await weft(["workflow", "result", "doomed-1", "--json"], env);
    expect(asJson.code).toBe(1);
    expect(json(asJson.stdout)).toMatchObject({ status: "failed", failure: { message: "out of stock" } });

    await weft(["workflow", "start", "approval", "--args", '["desk"]', "--workflow-id", "approval-2"], env);
    const open = await weft(["workflow", "result", "approval-2", "--timeout-seconds", "0.2"], env);
    expect(open.code).toBe(6);
    expect(open.stderr).toMatch(/still running after 0\.2 s/);
    const terminated = await weft(["workflow", "terminate", "approval-2", "--reason", "no budget"], env);
    expect(terminated).toMatchObject({ code: 0, stdout: "terminated approval-2\n" });
    expect((await weft(["workflow", "result", "approval-2"], env)).stderr).toMatch(/approval-2 terminated .*: no budget/);
  });

  it("exits 3 for an unknown workflow, 4 for a refused request, 5 when the server is down, 2 for bad flags", async () => {
    const unknown = await weft(["workflow", "describe", "nobody"], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/\[workflow_not_found\]/);

    const wrongKey = await weft(["workflow", "list", "--api-key", "weft_not-a-key"], env);
    expect(wrongKey.code).toBe(4);
    expect(wrongKey.stderr).toMatch(/unknown or revoked.*--api-key or WEFT_API_KEY.*\[unauthenticated\]/);
    const unknownType = await weft(["workflow", "start", "no-such-type"], env);
    expect(unknownType.code).toBe(4);
    expect(unknownType.stderr).toMatch(/\[unknown_workflow_type\]/);

    const closed = await freePort();
    const down = await weft(["workflow", "list", "--address", `http://127.0.0.1:${closed}`], env);
    expect(down.code).toBe(5);
    expect(down.stderr).toMatch(/cannot reach the weft server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): start it/);

    const badJson = await weft(["workflow", "start", "approval", "--args", "{not json"], env);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/--args <json>.*not JSON/);
    expect((await weft(["workflow", "list", "--status", "sleeping"], env)).code).toBe(2);
  });

  it("creates keys through the server or directly in the database, lists them as a table and revokes them", async () => {
    const created = await weft(["apikey", "create", "--name", "ci reader", "--role", "read", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const key = json(created.stdout) as { keyId: string; secret: string };
    expect(key).toEqual({ keyId: expect.any(String), secret: expect.stringMatching(/^weft_/), name: "ci reader", role: "read" });
    const direct = await weft(["apikey", "create", "--name", "bootstrap", "--database-url", db.url], env);
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toMatch(/^weft_[0-9a-f]{64}\n$/);

    const refused = await weft(["workflow", "start", "approval", "--api-key", key.secret], env);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/\[insufficient_role\]/);

    expect(await weft(["apikey", "revoke", key.keyId], env)).toMatchObject({ code: 0, stdout: `revoked key ${key.keyId}\n` });
    const listed = await weft(["apikey", "list"], env);
    const [header, ...rows] = listed.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^KEY ID\s+NAME\s+ROLE\s+CREATED\s+REVOKED$/);
    expect(rows.find((r) => r.startsWith(key.keyId))).toMatch(/ci reader\s+read\s+\S+ \S+\s+\d{4}-/);
    expect(rows.find((r) => r.includes("bootstrap"))).toMatch(/admin\s+\S+ \S+\s+-$/);
    expect((await weft(["workflow", "list", "--api-key", key.secret], env)).code).toBe(4);
  });

  it("exports a history with weft workflow history --json that weft replay replays", async () => {
    const history = await weft(["workflow", "history", "approval-1", "--json"], env);
    expect(history.code, history.stderr).toBe(0);
    const exported = json(history.stdout) as { events: { type: string }[]; nextPageToken: null };
    expect(exported.nextPageToken).toBeNull();
    expect(exported.events.map((e) => e.type).at(-1)).toBe("WorkflowCompleted");

    const module = compileWorkflowModule(new URL("./fixtures/workflows.ts", import.meta.url));
    try {
      const file = join(module.dir, "approval-1.json");
      writeFileSync(file, history.stdout);
      const replayed = await weft(["replay", file, "--module", module.file]);
      expect(replayed.code, replayed.stderr).toBe(0);
      expect(replayed.stdout).toBe(`ok    ${file} (approval, ${exported.events.length} events)\n`);
    } finally {
      module.remove();
    }

    const table = await weft(["workflow", "history", "approval-1"], env);
    expect(table.stdout.split("\n")[0]).toMatch(/^EVENT\s+TASK\s+TIME\s+TYPE\s+ATTRIBUTES$/);
    expect(table.stdout).toMatch(/\n1\s+1\s+\S+ \S+\s+WorkflowStarted\s+\{"workflowType":"approval"/);
  });
});

/** A port nothing listens on: one the system just handed out and got back. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
