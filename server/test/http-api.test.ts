// The HTTP API over real HTTP on 127.0.0.1, driven with fetch only: keys and roles, the whole
// path of a workflow, the refusals (each writing nothing), the OpenAPI document and /metrics.
import { randomBytes } from "node:crypto";
import { Validator } from "@seriousme/openapi-schema-validator";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContinueAsNew, workflow, type WorkflowContext, type WorkflowGenerator } from "@weft/sdk";
import { createApiKey, startServer, type WeftServer } from "@weft/server";
import { Worker } from "@weft/worker";
import { Approval, activities } from "../../cli/test/fixtures/workflows.js";
import { createTestDatabase, type TestDatabase } from "../../sql/test/support/database.js";

/** Continues as new until `left` is 0: a chain of runs under one workflow id. */
@workflow.defn({ name: "countdown" })
class Countdown {
  *run(ctx: WorkflowContext, left: number): WorkflowGenerator<string | ContinueAsNew> {
    yield* ctx.sleep(0);
    return left > 0 ? new ContinueAsNew([left - 1]) : "liftoff";
  }
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("HTTP API", () => {
  let db: TestDatabase;
  let server: WeftServer;
  let worker: Worker;
  let admin: string;
  const role = `weft_test_server_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The server connects as its own role, a member of weft_client and weft_server only.
    await db.pool.query(`create role ${role} login password 'secret' in role weft_client, weft_server`);
    const url = new URL(db.url);
    url.username = role;
    url.password = "secret";
    server = await startServer({ databaseUrl: url.toString(), port: 0, logRequests: false, maxWaitSeconds: 30 });
    worker = await Worker.create({
      databaseUrl: db.url,
      workflows: [Approval, Countdown],
      activities,
      logger: quiet,
    });
    admin = (await createApiKey(db.pool, "default", "bootstrap", "admin")).secret;
  });
  afterAll(async () => {
    await worker?.shutdown();
    await server?.close();
    await db?.pool.query(`drop role if exists ${role}`);
    await db?.drop();
  });

  const call = async (method: string, path: string, key: string | null, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  const ns = "/api/v1/namespaces/default";
  const newKey = async (keyRole: "read" | "write" | "admin") => {
    const created = await call("POST", `${ns}/api-keys`, admin, { name: `${keyRole} key`, role: keyRole });
    expect(created.status).toBe(201);
    return created.body as { keyId: string; secret: string };
  };
  /** Rows in every table of weft's and graphile-worker's: what a refused request must not change. */
  const rowCounts = async () => {
    const { rows } = await db.pool.query<{ name: string; n: string }>(
      `select format('%I.%I', schemaname, relname) as name,
              (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I.%I', schemaname, relname), false, true, '')))[1]::text as n
         from pg_stat_user_tables where schemaname in ('weft', 'graphile_worker') order by 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.n]));
  };

  /** Waits until no job is queued and no inbox holds an event: every run waits on something outside. */
  const settled = async () => {
    for (;;) {
      const { rows } = await db.pool.query<{ busy: boolean }>(
        "select exists (select from graphile_worker._private_jobs) or exists (select from weft.inbox) as busy",
      );
      if (!rows[0]!.busy) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it("starts, lists, counts, signals, waits for and reads a workflow with fetch alone", async () => {
    const writer = (await newKey("write")).secret;
    const started = await call("POST", `${ns}/workflows`, writer, {
      workflowType: "approval",
      args: ["laptop"],
      workflowId: "approval-1",
      searchAttributes: { team: "it" },
    });
    expect(started).toEqual({ status: 201, body: { workflowId: "approval-1", runId: expect.any(String) } });

    const listed = await call("GET", `${ns}/workflows?workflowType=approval&searchAttributes=${encodeURIComponent('{"team":"it"}')}`, writer);
    expect(listed.status).toBe(200);
    expect((listed.body!.workflows as { workflowId: string }[]).map((w) => w.workflowId)).toEqual(["approval-1"]);
    expect(listed.body!.nextPageToken).toBeNull();

    const waiting = await call("GET", `${ns}/workflows/approval-1/result?waitSeconds=0`, writer);
    expect(waiting).toEqual({ status: 202, body: { status: "running", runId: started.body!.runId } });
    expect((await call("GET", `${ns}/workflow-count?groupBy=status`, writer)).body).toEqual({
      count: 1,
      groups: [{ status: "running", count: 1 }],
    });

    // A long poll waiting when the signal arrives wakes when the run closes.
    const result = call("GET", `${ns}/workflows/approval-1/result?waitSeconds=30`, writer);
    expect((await call("POST", `${ns}/workflows/approval-1/signals/decide`, writer, { args: ["approved"] })).status).toBe(202);
    expect(await result).toEqual({ status: 200, body: { status: "completed", runId: started.body!.runId, result: "laptop: approved" } });

    const described = await call("GET", `${ns}/workflows/approval-1`, writer);
    expect(described.body).toMatchObject({ workflowId: "approval-1", status: "completed", result: "laptop: approved" });
    const firstPage = await call("GET", `${ns}/workflows/approval-1/history?pageSize=2`, writer);
    expect((firstPage.body!.events as { type: string }[]).map((e) => e.type)).toEqual(["WorkflowStarted", "SignalReceived"]);
    const rest = await call("GET", `${ns}/workflows/approval-1/history?pageToken=${String(firstPage.body!.nextPageToken)}`, writer);
    expect((rest.body!.events as { type: string }[]).at(-1)?.type).toBe("WorkflowCompleted");
    expect(rest.body!.nextPageToken).toBeNull();
  });

  it("reports a failed or terminated run's status and failure", async () => {
    const writer = (await newKey("write")).secret;
    await call("POST", `${ns}/workflows`, writer, { workflowType: "approval", args: ["desk"], workflowId: "approval-2" });
    expect((await call("POST", `${ns}/workflows/approval-2/terminate`, writer, { reason: "no budget" })).status).toBe(202);
    const result = await call("GET", `${ns}/workflows/approval-2/result`, writer);
    expect(result).toMatchObject({ status: 200, body: { status: "terminated", failure: { message: "no budget" } } });
    expect((await call("POST", `${ns}/workflows/approval-2/signals/decide`, writer, { args: ["late"] })).status).toBe(404);
  });

  it("refuses a missing, wrong, revoked or too weak key, and a key of another namespace", async () => {
    const reader = await newKey("read");
    const writer = await newKey("write");
    await settled();
    const before = await rowCounts();
    expect((await call("GET", `${ns}/workflows`, null)).status).toBe(401);
    expect((await call("GET", `${ns}/workflows`, "weft_not-a-key")).status).toBe(401);
    expect((await call("GET", `${ns}/workflows`, reader.secret)).status).toBe(200);
    for (const [method, path, body] of [
      ["POST", `${ns}/workflows`, { workflowType: "approval", workflowId: "by-reader" }],
      ["POST", `${ns}/workflows/approval-1/signals/decide`, { args: [] }],
      ["POST", `${ns}/workflows/approval-1/terminate`, {}],
      ["GET", `${ns}/api-keys`, undefined],
      ["POST", `${ns}/api-keys`, { name: "mine", role: "admin" }],
    ] as const) {
      expect((await call(method, path, reader.secret, body)).status, `${method} ${path}`).toBe(403);
    }
    expect((await call("POST", `${ns}/api-keys`, writer.secret, { name: "mine", role: "admin" })).status).toBe(403);
    // Every namespaced route refuses a key of another namespace before it reads anything (an
    // admin key of default is the server's administrator, so a write key stands in).
    const routes = ((await call("GET", "/openapi.json", null)).body!.paths as Record<string, Record<string, unknown>>) ?? {};
    for (const [path, methods] of Object.entries(routes).filter(([p]) => p.includes("{ns}"))) {
      for (const method of Object.keys(methods)) {
        const concrete = path
          .replace("{ns}", "elsewhere")
          .replace("{workflowId}", "approval-1")
          .replace("{signalName}", "decide")
          .replace("{keyId}", reader.keyId);
        const answer = await call(method.toUpperCase(), concrete, writer.secret, method === "get" || method === "delete" ? undefined : {});
        expect(answer.status, `${method} ${concrete}`).toBe(403);
      }
    }
    expect(await rowCounts()).toEqual(before);

    expect((await call("DELETE", `${ns}/api-keys/${reader.keyId}`, admin)).status).toBe(204);
    expect((await call("GET", `${ns}/workflows`, reader.secret)).status).toBe(401);
    const keys = (await call("GET", `${ns}/api-keys`, admin)).body!.apiKeys as { keyId: string; revokedAt: string | null; secret?: string }[];
    expect(keys.find((k) => k.keyId === reader.keyId)?.revokedAt).not.toBeNull();
    expect(keys.every((k) => k.secret === undefined)).toBe(true);
  });

  it("refuses bad requests with 400, 409, 413 and 422, writing nothing", async () => {
    const writer = (await newKey("write")).secret;
    await call("POST", `${ns}/workflows`, writer, { workflowType: "approval", args: ["chair"], workflowId: "approval-3" });
    await settled(); // its first workflow task is done: only the requests below could change a row now
    const before = await rowCounts();
    const refusals: [number, string, unknown][] = [
      [400, "malformed_json", "{not json"],
      [400, "invalid_request", { workflowType: 42 }],
      [400, "invalid_request", { workflowType: "approval", surprise: true }],
      [400, "invalid_argument", { workflowType: "approval", workflowId: "x".repeat(300) }],
      [400, "invalid_argument", { workflowType: "approval", runTimeoutSeconds: -1 }],
      [409, "workflow_already_running", { workflowType: "approval", args: ["chair"], workflowId: "approval-3" }],
      [413, "payload_too_large", { workflowType: "approval", args: ["x".repeat(3 * 1024 * 1024)] }],
      [413, "payload_too_large", { workflowType: "approval", args: ["x".repeat(5 * 1024 * 1024)] }],
      [422, "unknown_workflow_type", { workflowType: "no-such-workflow" }],
    ];
    for (const [status, code, body] of refusals) {
      const answer = await call("POST", `${ns}/workflows`, writer, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      expect(answer.body!.code).toBe(code);
      expect(answer.body!.message).toEqual(expect.any(String));
    }
    expect((await call("GET", `${ns}/workflows?pageSize=0`, writer)).body!.details).toEqual([
      { path: "query.pageSize", message: expect.any(String) },
    ]);
    expect((await call("GET", `${ns}/workflows?searchAttributes=nope`, writer)).status).toBe(400);
    expect((await call("GET", `${ns}/workflows/nobody`, writer)).status).toBe(404);
    expect(await rowCounts()).toEqual(before);
  });

  it("keeps namespaces apart: an admin of default creates one and its key, and each sees only its own runs", async () => {
    const made = await call("POST", "/api/v1/namespaces", admin, { name: "team-b", retentionDays: 30 });
    expect(made).toMatchObject({ status: 201, body: { name: "team-b", retentionDays: 30 } });
    expect((await call("POST", "/api/v1/namespaces", admin, { name: "team-b" })).status).toBe(409);
    expect((await call("POST", "/api/v1/namespaces", admin, { name: "no/slashes" })).status).toBe(400);
    const listed = (await call("GET", "/api/v1/namespaces", admin)).body!.namespaces as { name: string }[];
    expect(listed.map((n) => n.name)).toEqual(["default", "team-b"]);

    const teamB = "/api/v1/namespaces/team-b";
    const bAdmin = await call("POST", `${teamB}/api-keys`, admin, { name: "b admin", role: "admin" });
    expect(bAdmin.status).toBe(201);
    const bKey = (bAdmin.body as { secret: string }).secret;
    expect((await call("GET", "/api/v1/namespaces", bKey)).status).toBe(403); // not the server's admin
    expect((await call("GET", `${ns}/workflows`, bKey)).status).toBe(403);
    expect((await call("GET", "/api/v1/namespaces/nowhere/workflows", admin)).status).toBe(404);

    // team-b has no worker yet: its workflow types are its own.
    expect((await call("POST", `${teamB}/workflows`, bKey, { workflowType: "approval", args: ["x"] })).status).toBe(422);
    const bWorker = await Worker.create({
      databaseUrl: db.url,
      namespace: "team-b",
      workflows: [Approval],
      activities: { record: (_ctx, item: string, decision: string) => `team-b ${item}: ${decision}` },
      logger: quiet,
    });
    try {
      const writer = (await newKey("write")).secret;
      // The same workflow id, open in both namespaces at once.
      expect((await call("POST", `${ns}/workflows`, writer, { workflowType: "approval", args: ["a"], workflowId: "shared-id" })).status).toBe(201);
      expect((await call("POST", `${teamB}/workflows`, bKey, { workflowType: "approval", args: ["b"], workflowId: "shared-id" })).status).toBe(201);
      expect((await call("POST", `${teamB}/workflows/shared-id/signals/decide`, bKey, { args: ["yes"] })).status).toBe(202);
      expect((await call("GET", `${teamB}/workflows/shared-id/result?waitSeconds=30`, bKey)).body).toMatchObject({ result: "team-b b: yes" });
      expect((await call("GET", `${ns}/workflows/shared-id`, writer)).body).toMatchObject({ status: "running" });
      const bRuns = (await call("GET", `${teamB}/workflows`, bKey)).body!.workflows as { workflowId: string }[];
      expect(bRuns.map((r) => r.workflowId)).toEqual(["shared-id"]);
      expect((await call("GET", `${teamB}/workflow-count`, bKey)).body).toMatchObject({ count: 1 });
      expect((await call("POST", `${ns}/workflows/shared-id/terminate`, writer, {})).status).toBe(202);
    } finally {
      await bWorker.shutdown();
    }
  });

  it("answers a result for the last run of a continue-as-new chain, also when asked with the first run's id", async () => {
    const writer = (await newKey("write")).secret;
    const started = await call("POST", `${ns}/workflows`, writer, { workflowType: "countdown", args: [2], workflowId: "countdown-1" });
    const byFirstRun = await call("GET", `${ns}/workflows/countdown-1/result?waitSeconds=30&runId=${String(started.body!.runId)}`, writer);
    expect(byFirstRun).toMatchObject({ status: 200, body: { status: "completed", result: "liftoff" } });
    expect(byFirstRun.body!.runId).not.toBe(started.body!.runId);
    const last = await call("GET", `${ns}/workflows/countdown-1`, writer);
    expect(last.body).toMatchObject({ runId: byFirstRun.body!.runId, status: "completed" });
    const children = await call("GET", `${ns}/workflows?parentRunId=${String(started.body!.runId)}`, writer);
    expect(children.body!.workflows).toEqual([]);
    expect((await call("GET", `${ns}/workflows?parentRunID=x`, writer)).status).toBe(400); // a misspelt filter is refused, not ignored
  });

  it("answers a waiting result with 202 at once when the server closes, and then stops", async () => {
    const url = new URL(db.url);
    const closing = await startServer({ databaseUrl: url.toString(), port: 0, logRequests: false, maxWaitSeconds: 60 });
    const writer = (await newKey("write")).secret;
    await call("POST", `${ns}/workflows`, writer, { workflowType: "approval", args: ["pen"], workflowId: "approval-close" });
    const listeners = async () => {
      const { rows } = await db.pool.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and query = 'LISTEN weft_run_closed'",
      );
      return rows[0]!.n;
    };
    const before = await listeners();
    const waiting = fetch(`${closing.url}${ns}/workflows/approval-close/result?waitSeconds=60`, { headers: { authorization: `Bearer ${writer}` } });
    // The request is in its wait once this server's Client listens for closes.
    while ((await listeners()) === before) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await closing.close();
    const answer = await waiting;
    expect(answer.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(5_000); // not the 60 s wait, nor the 10 s grace
  });

  it("publishes a valid OpenAPI 3.1 document of every route, health, readiness and Prometheus metrics", async () => {
    const document = (await call("GET", "/openapi.json", null)).body!;
    const validator = new Validator();
    const validation = await validator.validate(document);
    expect(validation.errors ?? [], JSON.stringify(validation.errors)).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // Answers are documented by the schemas that parse them, a failure's cause by reference.
    const describeAnswer = JSON.stringify((document.paths as Record<string, Record<string, unknown>>)["/api/v1/namespaces/{ns}/workflows/{workflowId}"]);
    expect(describeAnswer).toContain("pendingActivities");
    expect(JSON.stringify(document.components)).toContain('"cause":{"$ref":"#/components/schemas/Failure"}');
    const paths = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(paths.sort()).toEqual(
      [
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /openapi.json",
        "POST /api/v1/namespaces/{ns}/workflows",
        "GET /api/v1/namespaces/{ns}/workflows",
        "GET /api/v1/namespaces/{ns}/workflow-count",
        "GET /api/v1/namespaces/{ns}/workflows/{workflowId}",
        "GET /api/v1/namespaces/{ns}/workflows/{workflowId}/result",
        "GET /api/v1/namespaces/{ns}/workflows/{workflowId}/history",
        "POST /api/v1/namespaces/{ns}/workflows/{workflowId}/signals/{signalName}",
        "POST /api/v1/namespaces/{ns}/workflows/{workflowId}/terminate",
        "POST /api/v1/namespaces/{ns}/api-keys",
        "GET /api/v1/namespaces/{ns}/api-keys",
        "DELETE /api/v1/namespaces/{ns}/api-keys/{keyId}",
        "POST /api/v1/namespaces",
        "GET /api/v1/namespaces",
      ].sort(),
    );
    expect(await call("GET", "/healthz", null)).toEqual({ status: 200, body: { status: "ok" } });
    expect(await call("GET", "/readyz", null)).toEqual({ status: 200, body: { status: "ready" } });
    expect((await call("GET", "/nowhere", null)).status).toBe(404);

    const scrape = async () => {
      const response = await fetch(`${server.url}/metrics`);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      const text = await response.text();
      for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) {
        // name{label="value",...} number: the text exposition format's sample line
        expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/);
      }
      const started = /^weft_workflows_started_total\{workflow_type="approval"\} (\d+)$/m.exec(text);
      return Number(started?.[1] ?? 0);
    };
    const before = await scrape();
    const writer = (await newKey("write")).secret;
    await call("POST", `${ns}/workflows`, writer, { workflowType: "approval", args: ["lamp"] });
    expect(await scrape()).toBe(before + 1);
  });

  it("reports not ready, and why, when the database lacks the schema", async () => {
    const empty = `weft_test_empty_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`create database ${empty}`);
    const url = new URL(db.url);
    url.pathname = `/${empty}`;
    const bare = await startServer({ databaseUrl: url.toString(), port: 0, logRequests: false });
    try {
      const response = await fetch(`${bare.url}/readyz`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { reason: string }).reason).toMatch(/weft migrate|does not answer/);
    } finally {
      await bare.close();
      await admin.query(`drop database ${empty} with (force)`);
      await admin.end();
    }
  });
});
