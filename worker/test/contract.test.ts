// What the SQL functions and the TypeScript side both state, defined once in TypeScript and
// checked here against the database: error codes, statuses, retry defaults, the input limits
// of both doors, the wire commands and the job payloads.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ActivityRetryPolicy,
  InvalidArgumentError,
  mapDatabaseError,
  PayloadError,
  ScheduleActivity,
  TooManyConnectionsError,
  workflow,
  type WorkflowContext,
  type WorkflowGenerator,
  WeftError,
  WorkflowRetryPolicy,
  type RetryPolicyOptions,
  type StartOptions,
} from "@weft/sdk";
import {
  ACTIVITY_STATUSES,
  parseHistory,
  MAX_BACKOFF_COEFFICIENT,
  MAX_NAME_LENGTH,
  MAX_PAYLOAD_BYTES,
  MAX_REASON_LENGTH,
  MAX_RETRY_LIST_LENGTH,
  MAX_SEARCH_ATTRIBUTE_BYTES,
  MAX_SEARCH_ATTRIBUTES,
  MAX_SEARCH_ATTRIBUTES_BYTES,
  MAX_TIMEOUT_SECONDS,
  RUN_STATUSES,
  wireCommandSchema,
  type WireCommand,
} from "@weft/sdk/internal";
import { loadFunctionSet } from "@weft/sql/internal";
import { z } from "zod";
import { activityJob, runJob, taskIdentifiers, timeoutJob, type TimeoutJob } from "../src/jobs.js";
import { completeWorkflowTask } from "../src/sql-api.js";
import { useHarness, waitFor } from "./support/harness.js";
import { useRefusedClient } from "./support/refused-client.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

@workflow.defn({ name: "job-child" })
class JobChild {
  *run(ctx: WorkflowContext): WorkflowGenerator<void> {
    yield ctx.waitCondition(() => false);
  }
}

@workflow.defn({ name: "job-parent" })
class JobParent {
  @workflow.signal("nudge")
  onNudge() {}

  *run(ctx: WorkflowContext): WorkflowGenerator<void> {
    const hour = 3600;
    yield* ctx.all([
      new ScheduleActivity("anything", [], {
        taskQueue: "unserved",
        scheduleToStartTimeoutSeconds: hour,
        scheduleToCloseTimeoutSeconds: hour,
        startToCloseTimeoutSeconds: hour,
        heartbeatTimeoutSeconds: hour,
      }),
      ctx.startChildWorkflow(JobChild, [], { workflowId: `${ctx.info.workflowId}-child` }),
    ]);
  }
}

describe("the contract between SQL and TypeScript", () => {
  const h = useHarness();
  const door = useRefusedClient(h);

  it("documents every SQLSTATE the functions raise, and maps each to its typed error", async () => {
    const { files } = await loadFunctionSet();
    const raised = new Set(files.flatMap((f) => [...f.sql.matchAll(/errcode = '(\w{5})'/g)].map((m) => m[1]!)));
    const doc = await readFile(`${ROOT}docs/errors.md`, "utf8");
    const documented = new Map([...doc.matchAll(/^\| `(\w{5})` \| .* \| `(\w+)` \|$/gm)].map((m) => [m[1]!, m[2]!] as const));
    expect([...raised].sort()).toEqual([...documented.keys()].filter((code) => code.startsWith("WF")).sort());
    for (const [code, errorName] of documented) {
      const mapped = mapDatabaseError(Object.assign(new Error("from SQL"), { code }));
      expect(mapped, code).toBeInstanceOf(WeftError);
      expect((mapped as Error).constructor.name, code).toBe(errorName);
    }
  });

  it("allows in the database exactly the run and activity statuses TypeScript knows", async () => {
    const allowed = async (table: string) => {
      const { rows } = await h.db.pool.query<{ def: string }>(
        "select pg_get_constraintdef(oid) as def from pg_constraint where conname = $1",
        [`${table}_status_check`],
      );
      return [...rows[0]!.def.matchAll(/'(\w+)'::text/g)].map((m) => m[1]).sort();
    };
    expect(await allowed("workflow_runs")).toEqual([...RUN_STATUSES].sort());
    const { rows } = await h.db.pool.query<{ statuses: string[] }>("select weft.run_statuses() as statuses");
    expect(rows[0]!.statuses).toEqual([...RUN_STATUSES]); // what weft.list_workflows accepts
    expect(await allowed("activity_executions")).toEqual([...ACTIVITY_STATUSES].sort());
  });

  it("fills a retry policy's missing fields with the defaults TypeScript gives", async () => {
    const { rows } = await h.db.pool.query("select weft.retry_policy('{}') as p");
    expect(rows[0].p).toEqual(new ActivityRetryPolicy().toJSON());
  });

  it("limits payloads to the size TypeScript checks", async () => {
    const { rows } = await h.db.pool.query("select weft.max_payload_bytes() as n");
    expect(rows[0].n).toBe(MAX_PAYLOAD_BYTES);
  });

  describe("draws each input limit where the SQL functions draw it", () => {
    /** A call as the client takes it and as the SQL function does (the wire form built here by hand). */
    interface Probe {
      client: () => Promise<unknown>;
      sql: [string, unknown[]];
    }

    beforeAll(async () => {
      await h.db.pool.query("select weft.register_workflow_types('default', array['idle'])");
    });

    /** True when the client refuses the call itself; false when it reaches the database. */
    async function clientRefuses({ client }: Probe): Promise<boolean> {
      const error = await client().then(() => undefined, (e: unknown) => e);
      if (error instanceof InvalidArgumentError || error instanceof PayloadError) return true;
      if (error instanceof TooManyConnectionsError) return false; // door.client has no connection
      throw error;
    }

    /** True when the SQL function refuses the input by a limit; false when it takes it or fails further on. */
    async function sqlRefuses({ sql: [text, values] }: Probe): Promise<boolean> {
      const connection = await h.db.pool.connect();
      try {
        await connection.query("begin");
        await connection.query(text, values);
        return false;
      } catch (error) {
        const mapped = mapDatabaseError(error);
        if (mapped instanceof InvalidArgumentError || mapped instanceof PayloadError) return true;
        if (mapped instanceof WeftError) return false; // WF001 or WF004: past the checks
        throw error;
      } finally {
        await connection.query("rollback");
        connection.release();
      }
    }

    function start(type: string, args: unknown[], options: StartOptions = {}): Probe {
      const ms = (seconds: number | undefined) => (seconds === undefined ? null : Math.ceil(seconds * 1000));
      const wire = {
        searchAttributes: options.searchAttributes,
        retryPolicy: options.retryPolicy?.toJSON(),
        runTimeoutMs: ms(options.runTimeoutSeconds),
        executionTimeoutMs: ms(options.executionTimeoutSeconds),
      };
      return {
        client: () => door.client.start(type, args, options),
        sql: [
          "select weft.start_workflow($1, $2::jsonb, $3, $4, null, $5::jsonb)",
          [type, JSON.stringify(args), options.workflowId ?? null, options.taskQueue ?? "default", JSON.stringify(wire)],
        ],
      };
    }
    const signal = (name: string, args: unknown[] = []): Probe => ({
      client: () => door.client.signal("no-such-workflow", name, args),
      sql: ["select weft.signal_workflow('no-such-workflow', $1, $2::jsonb)", [name, JSON.stringify(args)]],
    });
    const terminate = (reason: string): Probe => ({
      client: () => door.client.terminate("no-such-workflow", reason),
      sql: ["select weft.terminate_workflow('no-such-workflow', $1)", [reason]],
    });
    const policy = (options: RetryPolicyOptions) => start("idle", [], { retryPolicy: new WorkflowRetryPolicy(options) });
    const attributes = (searchAttributes: Record<string, unknown>) => start("idle", [], { searchAttributes: searchAttributes as never });

    /** A string that makes `build(padding)` exactly `bytes` long as jsonb text, as PostgreSQL measures it. */
    async function padTo(bytes: number, build: (padding: string) => unknown): Promise<string> {
      const { rows } = await h.db.pool.query("select octet_length($1::jsonb::text) as n", [JSON.stringify(build(""))]);
      return "x".repeat(bytes - rows[0].n);
    }
    // Values whose jsonb text differs from JSON.stringify's: numbers in exponent form, escapes, keys.
    const tricky = { big: 1.5e300, small: -2.5e-7, text: "é\n\"😀\u0001", list: [1, [true, null]] };
    const names = (n: number) => Array.from({ length: n }, (_, i) => `E${i}`);
    const TEN_YEARS = MAX_TIMEOUT_SECONDS;

    const lines: [string, () => Promise<[Probe, Probe]>][] = [
      ["workflow id", async () => [start("idle", [], { workflowId: "w".repeat(MAX_NAME_LENGTH) }), start("idle", [], { workflowId: "w".repeat(MAX_NAME_LENGTH + 1) })]],
      ["workflow id in characters, not UTF-16 units", async () => [start("idle", [], { workflowId: "😀".repeat(MAX_NAME_LENGTH) }), start("idle", [], { workflowId: "😀".repeat(MAX_NAME_LENGTH + 1) })]],
      ["empty workflow id", async () => [start("idle", [], { workflowId: "w" }), start("idle", [], { workflowId: "" })]],
      ["workflow type", async () => [start("t".repeat(MAX_NAME_LENGTH), []), start("t".repeat(MAX_NAME_LENGTH + 1), [])]],
      ["task queue", async () => [start("idle", [], { taskQueue: "q".repeat(MAX_NAME_LENGTH) }), start("idle", [], { taskQueue: "q".repeat(MAX_NAME_LENGTH + 1) })]],
      ["signal name", async () => [signal("s".repeat(MAX_NAME_LENGTH)), signal("s".repeat(MAX_NAME_LENGTH + 1))]],
      ["termination reason", async () => [terminate("r".repeat(MAX_REASON_LENGTH)), terminate("r".repeat(MAX_REASON_LENGTH + 1))]],
      ["workflow arguments' size", async () => {
        const padding = await padTo(MAX_PAYLOAD_BYTES, (p) => [tricky, p]);
        return [start("idle", [tricky, padding]), start("idle", [tricky, `${padding}x`])];
      }],
      ["signal arguments' size", async () => {
        const padding = await padTo(MAX_PAYLOAD_BYTES, (p) => [p, { n: 1e21 }]);
        return [signal("approve", [padding, { n: 1e21 }]), signal("approve", [`${padding}é`, { n: 1e21 }])];
      }],
      ["search attribute count", async () => {
        const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
        return [attributes(keys(MAX_SEARCH_ATTRIBUTES)), attributes(keys(MAX_SEARCH_ATTRIBUTES + 1))];
      }],
      ["search attribute key", async () => [attributes({ ["k".repeat(64)]: 1 }), attributes({ ["k".repeat(65)]: 1 })]],
      ["search attribute key __proto__", async () => [attributes({ _proto_: 1 }), attributes(JSON.parse('{"__proto__": 1}'))]],
      ["search attribute value's size", async () => {
        const padding = await padTo(MAX_SEARCH_ATTRIBUTE_BYTES, (p) => ["é😀\t", p]);
        return [attributes({ tags: ["é😀\t", padding] }), attributes({ tags: ["é😀\t", `${padding}x`] })];
      }],
      ["search attributes' size", async () => {
        // Numbers in exponent form, then the padding spread over values of at most 2,000 characters.
        const build = (p: string) => ({
          ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`n${i}`, -1.25e-300 * (i + 1)])),
          accents: "é".repeat(900),
          ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, p.slice(i * 2000, (i + 1) * 2000)])),
        });
        const padding = await padTo(MAX_SEARCH_ATTRIBUTES_BYTES, build);
        return [attributes(build(padding)), attributes(build(`${padding}x`))];
      }],
      ["run timeout", async () => [start("idle", [], { runTimeoutSeconds: TEN_YEARS }), start("idle", [], { runTimeoutSeconds: TEN_YEARS + 0.001 })]],
      ["shortest run timeout", async () => [start("idle", [], { runTimeoutSeconds: 0.001 }), start("idle", [], { runTimeoutSeconds: 0 })]],
      ["execution timeout", async () => [start("idle", [], { executionTimeoutSeconds: TEN_YEARS }), start("idle", [], { executionTimeoutSeconds: TEN_YEARS + 1 })]],
      ["retry maxAttempts", async () => [policy({ maxAttempts: 2 ** 31 - 1 }), policy({ maxAttempts: 2 ** 31 })]],
      ["retry maxAttempts below", async () => [policy({ maxAttempts: -(2 ** 31) }), policy({ maxAttempts: -(2 ** 31) - 1 })]],
      ["retry maxAttempts whole", async () => [policy({ maxAttempts: 2 }), policy({ maxAttempts: 2.5 })]],
      ["retry initialIntervalSeconds", async () => [policy({ initialIntervalSeconds: TEN_YEARS }), policy({ initialIntervalSeconds: TEN_YEARS + 1 })]],
      ["retry maximumIntervalSeconds", async () => [policy({ maximumIntervalSeconds: 0 }), policy({ maximumIntervalSeconds: -1 })]],
      ["retry backoffCoefficient", async () => [policy({ backoffCoefficient: MAX_BACKOFF_COEFFICIENT }), policy({ backoffCoefficient: MAX_BACKOFF_COEFFICIENT + 0.5 })]],
      ["retry nonRetryableErrorTypes count", async () => [policy({ nonRetryableErrorTypes: names(MAX_RETRY_LIST_LENGTH) }), policy({ nonRetryableErrorTypes: names(MAX_RETRY_LIST_LENGTH + 1) })]],
      ["retry nonRetryableErrorTypes entry", async () => [policy({ nonRetryableErrorTypes: ["E".repeat(MAX_NAME_LENGTH)] }), policy({ nonRetryableErrorTypes: ["E".repeat(MAX_NAME_LENGTH + 1)] })]],
      ["retry backoffSeconds count", async () => [policy({ backoffSeconds: Array(MAX_RETRY_LIST_LENGTH).fill(1) }), policy({ backoffSeconds: Array(MAX_RETRY_LIST_LENGTH + 1).fill(1) })]],
      ["retry backoffSeconds entry", async () => [policy({ backoffSeconds: [TEN_YEARS] }), policy({ backoffSeconds: [TEN_YEARS + 1] })]],
    ];

    it.each(lines)("%s", async (_, build) => {
      const [atLimit, pastLimit] = await build();
      expect([await sqlRefuses(atLimit), await sqlRefuses(pastLimit)], "SQL takes the limit and refuses past it").toEqual([false, true]);
      expect([await clientRefuses(atLimit), await clientRefuses(pastLimit)], "the client agrees").toEqual([false, true]);
    });
  });

  describe("reads the wire commands the worker sends (sdk/src/wire.ts) as their schema states them", () => {
    type Kind = WireCommand["kind"];
    const schemaKinds = wireCommandSchema.options.map((option) => option.shape.kind.value).sort();
    const schemaFields = (kind: Kind) =>
      Object.keys(wireCommandSchema.options.find((o) => o.shape.kind.value === kind)!.shape).filter((f) => f !== "kind").sort();

    /** A weft function's definition and its parameters' names. */
    async function weftFunction(name: string): Promise<{ source: string; params: string[] }> {
      const { rows } = await h.db.pool.query<{ source: string; params: string[] }>(
        `select pg_get_functiondef(p.oid) as source, p.proargnames as params
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'weft' and p.proname = $1`,
        [name],
      );
      expect(rows, `one function weft.${name}`).toHaveLength(1);
      return rows[0]!;
    }

    /** complete_workflow_task's branches of its `case v_cmd->>'kind'`: kind -> the code run for it. */
    async function commandBranches(): Promise<Map<string, string>> {
      const { source } = await weftFunction("complete_workflow_task");
      const cases = /case v_cmd->>'kind'\n([\s\S]*?)\n\s*else\s+raise exception 'unknown command kind/.exec(source);
      expect(cases, "complete_workflow_task dispatches on v_cmd->>'kind' and refuses other kinds").not.toBeNull();
      const [, ...parts] = cases![1]!.split(/^\s*when '(\w+)' then$/m);
      return new Map(parts.flatMap((part, i) => (i % 2 === 0 ? [[part, parts[i + 1]!] as const] : [])));
    }

    /** The arguments of each call of a weft function in `code`, split at their top-level commas. */
    function weftCalls(code: string): { name: string; args: string[] }[] {
      return [...code.matchAll(/\bweft\.(\w+)\(/g)].map((match) => {
        const args = [""];
        let depth = 0;
        for (const char of code.slice(match.index + match[0].length)) {
          if (char === ")" && depth-- === 0) break;
          if (char === "(") depth++;
          if (char === "," && depth === 0) args.push("");
          else args[args.length - 1] += char;
        }
        return { name: match[1]!, args: args.map((a) => a.trim()) };
      });
    }

    /** Which fields of the command in `variable` the code reads, following it into the weft functions it is passed to. */
    async function fieldsRead(code: string, variable: string): Promise<Set<string>> {
      const fields = new Set([...code.matchAll(new RegExp(`\\b${variable}\\s*->>?\\s*'(\\w+)'`, "g"))].map((m) => m[1]!));
      for (const call of weftCalls(code)) {
        const position = call.args.indexOf(variable);
        if (position < 0) continue;
        const callee = await weftFunction(call.name);
        for (const field of await fieldsRead(callee.source, callee.params[position]!)) fields.add(field);
      }
      return fields;
    }

    // One command of each kind, typed by the schema, every field set to a value its event must carry.
    const retryPolicy = new ActivityRetryPolicy({ maxAttempts: 5, maximumIntervalSeconds: 60, nonRetryableErrorTypes: ["Declined"] }).toJSON();
    const samples: { [K in Kind]: Extract<WireCommand, { kind: K }> } = {
      ScheduleActivity: {
        kind: "ScheduleActivity",
        activityId: 1,
        activityType: "charge",
        args: [{ cents: 100 }],
        queue: "unserved",
        retryPolicy,
        startToCloseMs: 1000,
        scheduleToStartMs: 2000,
        scheduleToCloseMs: 3000,
        heartbeatMs: 500,
      },
      StartTimer: { kind: "StartTimer", timerId: "reminder", seconds: 30 },
      RecordSideEffect: { kind: "RecordSideEffect", markerName: "uuid", value: { id: "0f0e" } },
      CompleteWorkflow: { kind: "CompleteWorkflow", result: { ok: true } },
      FailWorkflow: {
        kind: "FailWorkflow",
        failure: { name: "ApplicationFailure", type: "Declined", message: "card declined", nonRetryable: true, details: { code: 51 } },
      },
      StartChildWorkflow: {
        kind: "StartChildWorkflow",
        childId: 1,
        workflowType: "idle",
        workflowId: "wire-child",
        taskQueue: "default",
        args: ["x"],
        parentClosePolicy: "abandon",
        retryPolicy,
        executionTimeoutMs: 60_000,
        runTimeoutMs: 30_000,
      },
      ContinueAsNew: { kind: "ContinueAsNew", workflowType: "idle", taskQueue: "default", args: [2] },
      RecordVersionMarker: { kind: "RecordVersionMarker", changeId: "new-pricing", version: 2 },
      UpsertSearchAttributes: { kind: "UpsertSearchAttributes", attributes: { customer: "acme", stage: null } },
    };
    // The event each command appends: the command's fields under their own names, and these.
    const events: { [K in Kind]: [type: string, added: Record<string, unknown>] } = {
      ScheduleActivity: ["ActivityScheduled", {}],
      StartTimer: ["TimerStarted", { fireAt: expect.any(String) }],
      RecordSideEffect: ["MarkerRecorded", {}],
      CompleteWorkflow: ["WorkflowCompleted", {}],
      FailWorkflow: ["WorkflowFailed", { nextRunId: null }],
      StartChildWorkflow: ["ChildWorkflowScheduled", { runId: expect.any(String) }],
      ContinueAsNew: ["WorkflowContinuedAsNew", { newRunId: expect.any(String) }],
      RecordVersionMarker: ["VersionMarkerRecorded", {}],
      UpsertSearchAttributes: ["SearchAttributesUpserted", {}],
    };

    /** In a transaction rolled back afterwards: a run of "idle" whose first workflow task is claimed. */
    async function withClaimedTask(body: (tx: pg.PoolClient, runId: string, task: number) => Promise<void>): Promise<void> {
      const tx = await h.db.pool.connect();
      try {
        await tx.query("begin");
        await tx.query("select weft.register_workflow_types('default', array['idle'])");
        const { rows } = await tx.query<{ run_id: string }>("select weft.start_workflow('idle', '[]', 'wire-parent') as run_id");
        const runId = rows[0]!.run_id;
        const claimed = await tx.query<{ t: { task: number } }>("select weft.claim_workflow_task($1) as t", [runId]);
        await body(tx, runId, claimed.rows[0]!.t.task);
      } finally {
        await tx.query("rollback");
        tx.release();
      }
    }
    const lastEvent = async (tx: pg.PoolClient, runId: string) =>
      (await tx.query("select event_id as \"eventId\", task, type, attributes from weft.history_events where run_id = $1 order by event_id desc limit 1", [runId])).rows[0];

    it("handles exactly the schema's command kinds, and refuses any other", async () => {
      expect([...(await commandBranches()).keys()].sort()).toEqual(schemaKinds);
      expect(Object.keys(samples).sort()).toEqual(schemaKinds);
      await withClaimedTask(async (tx, runId, task) => {
        const refused = await tx
          .query("select weft.complete_workflow_task($1, $2, $3::jsonb)", [runId, task, JSON.stringify([{ kind: "Sleep", seconds: 1 }])])
          .then(() => undefined, mapDatabaseError);
        expect(refused).toBeInstanceOf(PayloadError);
        expect((refused as Error).message).toMatch(/unknown command kind "Sleep"/);
      });
    });

    it.each(schemaKinds)("reads of %s exactly the fields its schema has", async (kind) => {
      const code = (await commandBranches()).get(kind)!;
      expect([...(await fieldsRead(code, "v_cmd"))].sort()).toEqual(schemaFields(kind));
    });

    it.each(schemaKinds)("takes a %s built by the schema and appends the event replay reads", async (kind) => {
      const command = wireCommandSchema.parse(samples[kind]);
      const { kind: _kind, ...fields } = command;
      const [type, added] = events[kind];
      await withClaimedTask(async (tx, runId, task) => {
        await tx.query("select weft.complete_workflow_task($1, $2, $3::jsonb)", [runId, task, JSON.stringify([command])]);
        const event = await lastEvent(tx, runId);
        expect(event.type).toBe(type);
        expect(event.attributes).toEqual({ ...fields, ...added });
        expect(parseHistory([event])[0]!.type).toBe(type);
      });
    });

    it("never sends a command its schema refuses, even one the SQL would take", async () => {
      const malformed = { ...samples.StartTimer, unit: "ms" } as WireCommand;
      await withClaimedTask(async (tx, runId, task) => {
        const decision = { runId, task, commands: [malformed], unhandledSignalsJson: "[]", eager: null };
        await expect(completeWorkflowTask(tx, decision)).rejects.toThrow(/unit/);
        expect((await lastEvent(tx, runId)).type, "nothing appended").toBe("WorkflowStarted");
        await tx.query("select weft.complete_workflow_task($1, $2, $3::jsonb)", [runId, task, JSON.stringify([malformed])]);
        expect((await lastEvent(tx, runId)).type, "the SQL alone takes it").toBe("TimerStarted");
      });
    });
  });

  it("enqueues every kind of job with the name and payload the worker parses (worker/src/jobs.ts)", async () => {
    // A parent waits on an activity nobody serves and on a child; its worker then stops, so
    // the jobs the SQL functions enqueue stay in the queue to be read.
    const worker = await h.startWorker({ workflows: [JobParent, JobChild] });
    const parent = await h.client.start(JobParent, [], { workflowId: "jobs-parent", runTimeoutSeconds: 3600 });
    await waitFor(async () => {
      const d = await h.client.describe(parent);
      return d.pendingActivities.length === 1 && d.pendingChildren.length === 1;
    });
    await h.stopWorker(worker);
    await h.client.signal(parent, "nudge"); // a workflow task job
    await h.db.pool.query("select weft.start_activity_attempt($1, 1, 1)", [parent.runId]); // its timeouts' jobs
    await h.client.terminate(parent, "done"); // the parent-closed job

    const { rows } = await h.db.pool.query<{ task_identifier: string; payload: unknown }>(
      `select t.identifier as task_identifier, j.payload from graphile_worker._private_jobs j
         join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier like 'weft/%'`,
    );
    const names = { ...taskIdentifiers("default", "default"), activity: taskIdentifiers("default", "unserved").activity };
    const schemas: Record<string, z.ZodObject> = {
      [names.workflowTask]: runJob,
      [names.activity]: activityJob,
      [names.timeout]: timeoutJob,
      [names.runTimeout]: runJob,
      [names.parentClosed]: runJob,
    };
    for (const { task_identifier, payload } of rows) {
      const schema = schemas[task_identifier];
      expect(schema, `a job the worker has no handler for: ${task_identifier}`).toBeDefined();
      expect(() => schema!.strict().parse(payload), `${task_identifier} ${JSON.stringify(payload)}`).not.toThrow();
    }
    expect(new Set(rows.map((r) => r.task_identifier))).toEqual(new Set(Object.values(names)));
    const kinds = rows.filter((r) => r.task_identifier === names.timeout).map((r) => (r.payload as TimeoutJob).k);
    expect(new Set(kinds)).toEqual(new Set(timeoutJob.shape.k.options));
  });
});
