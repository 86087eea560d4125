// What the SQL functions and the TypeScript side both state, defined once in TypeScript and
// checked here against the database: error codes, statuses, retry defaults, payload limit,
// and the Kysely table types (generated from the schema).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ActivityRetryPolicy, mapDatabaseError, WeftError } from "@weft/sdk";
import { activityStatusSchema, MAX_PAYLOAD_BYTES, runStatusSchema } from "@weft/sdk/internal";
import { loadFunctionSet } from "@weft/sql";
import { useHarness } from "./support/harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("the contract between SQL and TypeScript", () => {
  const h = useHarness();

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
    expect(await allowed("workflow_runs")).toEqual([...runStatusSchema.options].sort());
    expect(await allowed("activity_executions")).toEqual([...activityStatusSchema.options].sort());
  });

  it("fills a retry policy's missing fields with the defaults TypeScript gives", async () => {
    const { rows } = await h.db.pool.query("select weft.retry_policy('{}') as p");
    expect(rows[0].p).toEqual(new ActivityRetryPolicy().toJSON());
  });

  it("limits payloads to the size TypeScript checks", async () => {
    const { rows } = await h.db.pool.query("select weft.max_payload_bytes() as n");
    expect(rows[0].n).toBe(MAX_PAYLOAD_BYTES);
  });

  it("has Kysely table types generated from today's schema (pnpm db-types rewrites them)", async () => {
    const codegen = `${ROOT}node_modules/.bin/kysely-codegen`;
    const verify = promisify(execFile)(codegen, ["--verify", "--config-file", `${ROOT}sdk/kysely-codegen.json`, "--url", h.db.url]);
    await expect(verify, "sdk/src/client/db-schema.ts is stale: run pnpm db-types").resolves.toBeDefined();
  });
});
