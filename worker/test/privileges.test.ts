// Privilege separation (sql/functions/privileges.sql, docs/security.md): an application that
// connects as a member of weft_client and a worker that connects as a member of weft_worker
// run workflows end to end, and neither can touch a table or the other's functions.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, PermissionDeniedError, workflow, WorkflowNotFoundError, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import { Worker } from "@weft/worker";
import { useHarness } from "./support/harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

@workflow.defn({ name: "privileged-greeting" })
class Greeting {
  name = "";

  @workflow.signal("name")
  onName(name: string) {
    this.name = name;
  }

  *run(ctx: WorkflowContext): WorkflowGenerator<string> {
    yield* ctx.waitCondition(() => this.name !== "");
    yield* ctx.sleep(0.01);
    return yield* ctx.activity<string>("greet", [this.name]);
  }
}

describe("roles", () => {
  const h = useHarness();
  const suffix = randomBytes(4).toString("hex");
  const app = { role: `weft_test_app_${suffix}`, group: "weft_client" };
  const workerLogin = { role: `weft_test_worker_${suffix}`, group: "weft_worker" };
  let appPool: pg.Pool;
  let workerPool: pg.Pool;

  const urlOf = (role: string) => {
    const url = new URL(h.db.url);
    url.username = role;
    url.password = "secret";
    return url.toString();
  };
  /** The SQLSTATE `sql` fails with on `pool`, or "ok". */
  const outcome = (pool: pg.Pool, sql: string, params: unknown[] = []) =>
    pool.query(sql, params).then(
      () => "ok",
      (error: { code?: string }) => error.code,
    );

  beforeAll(async () => {
    for (const { role, group } of [app, workerLogin]) {
      await h.db.pool.query(`create role ${role} login password 'secret' in role ${group}`);
    }
    appPool = new pg.Pool({ connectionString: urlOf(app.role), max: 2 });
    workerPool = new pg.Pool({ connectionString: urlOf(workerLogin.role), max: 2 });
  });
  afterAll(async () => {
    await Promise.all([appPool?.end(), workerPool?.end()]);
    for (const { role } of [app, workerLogin]) await h.db.pool.query(`drop role if exists ${role}`);
  });

  it("lets a client role start, signal and read, and a worker role run the workflow", async () => {
    const worker = await Worker.create({
      databaseUrl: urlOf(workerLogin.role),
      workflows: [Greeting],
      activities: { greet: (_ctx, name: string) => `hello ${name}` },
      logger: quiet,
      pollIntervalMs: 100,
    });
    const client = new Client({ databaseUrl: urlOf(app.role) });
    try {
      const handle = await client.start(Greeting, [], { workflowId: `greeting-${suffix}`, searchAttributes: { team: "a" } });
      await client.signal(handle, "name", ["ada"]);
      expect(await client.result(handle)).toBe("hello ada");
      expect((await client.describe(handle)).status).toBe("completed");
      expect((await client.list({ searchAttributes: { team: "a" } })).runs.map((r) => r.runId)).toEqual([handle.runId]);
      expect((await client.history(handle)).at(-1)?.type).toBe("WorkflowCompleted");
      await expect(client.signal(handle, "name", ["bob"])).rejects.toThrow(WorkflowNotFoundError);
    } finally {
      await client.close();
      await worker.shutdown();
    }
  });

  it("refuses the client role every table and every function that is not the client's", async () => {
    const run = "00000000-0000-4000-8000-000000000000";
    for (const sql of [
      "select * from weft.workflow_runs",
      "select * from weft.history_events",
      "update weft.workflow_runs set result = '1'",
      "select * from graphile_worker._private_jobs",
      "select weft.advance_clock(86400000)",
      `select weft.claim_workflow_task('${run}')`,
      `select weft.complete_workflow_task('${run}', 1, '[]', '[]', null, null, null)`,
      `select weft.fire_timer('${run}', 't')`,
      "select weft.now()",
      "select weft.apply_privileges()",
    ]) {
      expect(await outcome(appPool, sql), sql).toBe("42501");
    }
  });

  it("refuses the worker role the tables, the client's writes and the test clock", async () => {
    for (const sql of [
      "select * from weft.workflow_runs",
      "delete from weft.inbox",
      "select weft.advance_clock(86400000)",
      "select weft.start_workflow('privileged-greeting')",
      "select weft.signal_workflow('x', 'name')",
      "select weft.terminate_workflow('x')",
    ]) {
      expect(await outcome(workerPool, sql), sql).toBe("42501");
    }
  });

  it("gives a refusal as PermissionDeniedError that names the role to grant", async () => {
    const stranger = `weft_test_stranger_${suffix}`;
    await h.db.pool.query(`create role ${stranger} login password 'secret'`);
    const client = new Client({ databaseUrl: urlOf(stranger) });
    try {
      const refused = await client.start("privileged-greeting").catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(PermissionDeniedError);
      expect((refused as Error).message).toMatch(/weft_client/);
    } finally {
      await client.close();
      await h.db.pool.query(`drop role ${stranger}`);
    }
  });

  it("grants each role the functions its sql-api.ts calls and no more, as definer with search_path pinned, and PUBLIC none", async () => {
    const called = async (file: string) =>
      [...new Set([...(await readFile(`${ROOT}${file}`, "utf8")).matchAll(/weft\.(\w+)\(/g)].map((m) => m[1]!))].sort();
    const granted = async (role: string) => {
      const { rows } = await h.db.pool.query<{ name: string }>(
        `select distinct p.proname as name from pg_proc p
          where p.pronamespace = 'weft'::regnamespace and has_function_privilege($1, p.oid, 'execute')
          order by 1`,
        [role],
      );
      return rows.map((r) => r.name);
    };
    // Plus start_workflow, the start of SQL callers (the Client batches through start_workflows).
    expect(await granted("weft_client")).toEqual([...(await called("sdk/src/client/sql-api.ts")), "start_workflow"].sort());
    expect(await granted("weft_worker")).toEqual(await called("worker/src/sql-api.ts"));
    expect(await granted("weft_server")).toEqual(await called("server/src/sql-api.ts"));

    const { rows } = await h.db.pool.query<{ name: string; definer: boolean; config: string[] | null; public: boolean }>(
      `select p.proname as name, p.prosecdef as definer, p.proconfig as config,
              has_function_privilege('public', p.oid, 'execute') as public
         from pg_proc p where p.pronamespace = 'weft'::regnamespace`,
    );
    const entryPoints = new Set(
      [...(await Promise.all(["weft_client", "weft_worker", "weft_server"].map(granted)))].flat(),
    );
    for (const fn of rows) {
      expect(fn.public, `${fn.name} is executable by PUBLIC`).toBe(false);
      // A helper runs only inside an entry point (nobody else may call it), under its search_path.
      expect(fn.definer, `${fn.name} security definer`).toBe(entryPoints.has(fn.name));
      expect(fn.config ?? [], fn.name).toEqual(entryPoints.has(fn.name) ? ["search_path=pg_catalog, weft, pg_temp"] : []);
    }
  });

  it("prints with `weft grants` the statements a superuser runs where migrate() could not create the roles", async () => {
    const weft = (...args: string[]) => promisify(execFile)("node", [`${ROOT}cli/dist/main.js`, ...args], { env: { ...process.env, DATABASE_URL: h.db.url } });
    const { stdout } = await weft("grants");
    await h.db.pool.query(stdout); // the roles exist here: it must run again harmlessly
    await h.db.pool.query(stdout);
    expect(await outcome(appPool, "select weft.run_states('{}')")).toBe("ok");
    expect(await outcome(workerPool, "select * from weft.due_timers('default', 1000, 10)")).toBe("ok");
    expect((await weft("migrate")).stdout).toMatch(/schema weft is up to date/);
  });
});
