// The TypeScript client's door: every call checks its arguments by the README's limits before
// any SQL runs, so a refusal is a typed error of the call that earned it, naming the field, and
// never fails the other starts of its batch; what the database still refuses comes back typed.
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  InvalidArgumentError,
  PayloadError,
  TooManyConnectionsError,
  WeftError,
  WorkflowRetryPolicy,
  type RunRef,
} from "@weft/sdk";
import { useHarness } from "./support/harness.js";
import { useRefusedClient } from "./support/refused-client.js";

const RUN_ID = "00000000-0000-4000-8000-000000000000";

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

function circular(): unknown {
  const order: Record<string, unknown> = { id: 1 };
  order.self = order;
  return order;
}

async function rejection(call: () => Promise<unknown>): Promise<Error> {
  return call().then(
    () => {
      throw new Error("the call should have been refused");
    },
    (error: unknown) => error as Error,
  );
}

describe("the client's door", () => {
  const h = useHarness();
  const door = useRefusedClient(h); // its calls that reach the database fail with TooManyConnectionsError

  beforeAll(async () => {
    await h.db.pool.query("select weft.register_workflow_types('default', array['idle'])"); // no worker: runs stay open
  });

  async function runsWithId(workflowId: string): Promise<number> {
    const { rows } = await h.db.pool.query("select count(*)::int as n from weft.workflow_runs where workflow_id = $1", [workflowId]);
    return rows[0].n;
  }

  it("refuses a bad start alone: the other starts of its batch are written", async () => {
    const bad: [string, () => Promise<unknown>, new (message: string) => WeftError, RegExp][] = [
      ["long id", () => h.client.start("idle", [], { workflowId: "w".repeat(10_000) }), InvalidArgumentError, /workflowId: is 10000 characters, over the limit of 255/],
      ["NUL in id", () => h.client.start("idle", [], { workflowId: "a\u0000b" }), InvalidArgumentError, /workflowId: must not contain NUL/],
      ["NUL in args", () => h.client.start("idle", [{ note: "a\u0000b" }]), PayloadError, /workflow arguments\[0\]\.note must not contain NUL/],
      ["NUL in a key", () => h.client.start("idle", [{ "a\u0000": 1 }]), PayloadError, /workflow arguments\[0\] has a key that must not contain NUL/],
      ["lone surrogate", () => h.client.start("idle", ["\ud800"]), PayloadError, /workflow arguments\[0\] must be well-formed Unicode/],
      ["circular", () => h.client.start("idle", [circular()]), PayloadError, /workflow arguments\[0\]\.self is a circular reference/],
      ["deep", () => h.client.start("idle", [nested(10_000)]), PayloadError, /workflow arguments\[0\]\[0\].* nests arrays and objects more than 100 levels deep/],
      ["NUL in type", () => h.client.start("id\u0000le", []), InvalidArgumentError, /workflow type must not contain NUL/],
    ];
    // Started in one turn of the event loop: before, they went to the database as one batch.
    const outcomes = await Promise.allSettled([
      h.client.start("idle", [], { workflowId: "door-good-1" }),
      ...bad.map(([, start]) => start()),
      h.client.start("idle", ["fine"], { workflowId: "door-good-2" }),
    ]);
    expect(outcomes[0]).toMatchObject({ status: "fulfilled", value: { workflowId: "door-good-1" } });
    expect(outcomes.at(-1)).toMatchObject({ status: "fulfilled", value: { workflowId: "door-good-2" } });
    bad.forEach(([what, , ErrorClass, message], i) => {
      const outcome = outcomes[i + 1]!;
      expect(outcome.status, what).toBe("rejected");
      const error = (outcome as PromiseRejectedResult).reason as Error;
      expect(error, what).toBeInstanceOf(ErrorClass);
      expect(error.message, what).toMatch(message);
    });
    expect(await runsWithId("door-good-1")).toBe(1);
    expect(await runsWithId("door-good-2")).toBe(1);
    const { rows } = await h.db.pool.query("select count(*)::int as n from weft.workflow_runs");
    expect(rows[0].n).toBe(2);
  });

  it("sends a batch the database refuses as a whole again in parts, so the good starts are written", async () => {
    // An error weft.start_workflows does not catch in the start's slot: a constraint of the table.
    await h.db.pool.query("alter table weft.workflow_runs add constraint door_poison check (workflow_id <> 'door-poison')");
    try {
      const [first, poison, last] = await Promise.allSettled([
        h.client.start("idle", [], { workflowId: "door-split-1" }),
        h.client.start("idle", [], { workflowId: "door-poison" }),
        h.client.start("idle", [], { workflowId: "door-split-2" }),
      ]);
      expect(first).toMatchObject({ status: "fulfilled", value: { workflowId: "door-split-1" } });
      expect(last).toMatchObject({ status: "fulfilled", value: { workflowId: "door-split-2" } });
      expect(poison).toMatchObject({ status: "rejected", reason: { code: "23514" } });
      expect(await runsWithId("door-split-1")).toBe(1);
      expect(await runsWithId("door-split-2")).toBe(1);
      expect(await runsWithId("door-poison")).toBe(0);
    } finally {
      await h.db.pool.query("alter table weft.workflow_runs drop constraint door_poison");
    }
  });

  it("refuses bad ids, names, reasons and run ids in every call before any SQL, naming the field", async () => {
    const ids: [unknown, RegExp][] = [
      ["a\u0000b", /workflow id must not contain NUL/],
      ["w".repeat(256), /workflow id is 256 characters, over the limit of 255/],
      ["", /workflow id must not be empty/],
      [{ workflowId: "x", runId: "not-a-uuid" }, /run id must be a UUID, got "not-a-uuid"/],
      [{ workflowId: "x".repeat(300), runId: RUN_ID }, /workflow id is 300 characters/],
    ];
    for (const [ref, message] of ids) {
      const r = ref as RunRef;
      for (const call of [
        () => door.client.signal(r, "approve"),
        () => door.client.terminate(r),
        () => door.client.describe(r),
        () => door.client.result(r),
        () => door.client.history(r),
      ]) {
        const error = await rejection(call);
        expect(error, String(call)).toBeInstanceOf(InvalidArgumentError);
        expect(error.message).toMatch(message);
      }
    }
    const refusals: [() => Promise<unknown>, RegExp][] = [
      [() => door.client.signal("w", "ap\u0000prove"), /signal name must not contain NUL/],
      [() => door.client.signal("w", "s".repeat(256)), /signal name is 256 characters, over the limit of 255/],
      [() => door.client.signal("w", ""), /signal name must not be empty/],
      [() => door.client.terminate("w", "r".repeat(4097)), /termination reason is 4097 characters, over the limit of 4096/],
      [() => door.client.terminate("w", "because\u0000"), /termination reason must not contain NUL/],
      [() => door.client.start("idle", [], { taskQueue: "q".repeat(256) }), /taskQueue: is 256 characters/],
      [() => door.client.start("t".repeat(256), []), /workflow type is 256 characters/],
      [() => door.client.list({ workflowId: "a\u0000" }), /workflowId: must not contain NUL/],
      [() => door.client.list({ workflowType: "t".repeat(256) }), /workflowType: is 256 characters/],
      [() => door.client.list({ searchAttributes: { customer: "a\u0000" } }), /search attribute "customer": must not contain NUL/],
    ];
    for (const [call, message] of refusals) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toMatch(message);
    }
  });

  it("checks signal arguments as it checks a start's", async () => {
    for (const [args, message] of [
      [[circular()], /signal arguments\[0\]\.self is a circular reference/],
      [[nested(101)], /signal arguments\[0\].* more than 100 levels deep/],
      [[{ at: new Date() }], /signal arguments\[0\]\.at is a Date object, not a JSON value/],
      [["a\u0000"], /signal arguments\[0\] must not contain NUL/],
      [["x".repeat(2 * 1024 * 1024)], /signal arguments are over the limit of 2097152 bytes/],
      ["not an array", /signal arguments must be an array/],
    ] as [unknown[], RegExp][]) {
      const error = await rejection(() => door.client.signal("w", "approve", args));
      expect(error).toBeInstanceOf(PayloadError);
      expect(error.message).toMatch(message);
    }
    // At the limit and no deeper, an argument goes through to the database (which has no connection).
    expect(await rejection(() => door.client.signal("w", "approve", [nested(100)]))).toBeInstanceOf(TooManyConnectionsError);
  });

  it("refuses search attributes and retry policies past the SQL functions' limits before any SQL", async () => {
    const attributes: [Record<string, unknown>, RegExp][] = [
      [Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])), /have 101 keys, over the limit of 100/],
      [{ big: "x".repeat(3000) }, /search attribute "big" is 3002 bytes as JSON, over the limit of 2048/],
      [Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, "x".repeat(2000)])), /search attributes are \d+ bytes as JSON, over the limit of 40960/],
      [{ ["k".repeat(65)]: 1 }, /must be a letter or _ followed by up to 63/],
      [JSON.parse('{"__proto__": "x"}'), /"__proto__" is reserved/],
      [{ when: new Date() }, /search attribute "when" must be a string/],
    ];
    for (const [searchAttributes, message] of attributes) {
      const error = await rejection(() => door.client.start("idle", [], { searchAttributes: searchAttributes as never }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toMatch(message);
    }
    const policies: [ConstructorParameters<typeof WorkflowRetryPolicy>[0], RegExp][] = [
      [{ maxAttempts: 1.5 }, /retryPolicy\.maxAttempts/],
      [{ maxAttempts: Number.NaN }, /retryPolicy\.maxAttempts/],
      [{ maxAttempts: 2 ** 31 }, /retryPolicy\.maxAttempts/],
      [{ initialIntervalSeconds: 1e308 }, /retryPolicy\.initialIntervalSeconds/],
      [{ backoffCoefficient: 101 }, /retryPolicy\.backoffCoefficient/],
      [{ maximumIntervalSeconds: -1 }, /retryPolicy\.maximumIntervalSeconds/],
      [{ backoffSeconds: [1, -2] }, /retryPolicy\.backoffSeconds\.1/],
      [{ backoffSeconds: Array.from({ length: 101 }, () => 1) }, /retryPolicy\.backoffSeconds/],
      [{ nonRetryableErrorTypes: ["E".repeat(256)] }, /retryPolicy\.nonRetryableErrorTypes\.0: is 256 characters/],
      [{ nonRetryableErrorTypes: Array.from({ length: 101 }, (_, i) => `E${i}`) }, /retryPolicy\.nonRetryableErrorTypes/],
    ];
    for (const [options, message] of policies) {
      const error = await rejection(() => door.client.start("idle", [], { retryPolicy: new WorkflowRetryPolicy(options) }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toMatch(message);
    }
  });

  it("refuses a list filter with a key it would otherwise drop, instead of listing every run", async () => {
    const symbolKeyed = { customer: "acme", [Symbol("tenant")]: "x" };
    const hidden = Object.defineProperty({ customer: "acme" }, "tenant", { value: "x", enumerable: false });
    for (const [searchAttributes, message] of [
      [JSON.parse('{"__proto__": "x"}'), /"__proto__" is reserved/],
      [symbolKeyed, /search attribute keys must be strings/],
      [hidden, /search attribute "tenant" is not enumerable/],
      [{ customer: undefined }, /search attribute "customer" must be/],
      [{ customer: null }, /search attribute "customer" must be a string, finite number, boolean, string array$/],
      [new Map([["customer", "acme"]]), /must be a plain object/],
    ] as [Record<string, never>, RegExp][]) {
      const error = await rejection(() => h.client.list({ searchAttributes }));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toMatch(message);
    }
    await expect(h.client.list(new Map() as never)).rejects.toThrow(/a list filter must be a plain object/);
  });

  it("gives every call's database errors their typed form: no connection left names the limit to raise", async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ["start", () => door.client.start("idle", [])],
      ["signal", () => door.client.signal("w", "approve")],
      ["terminate", () => door.client.terminate({ workflowId: "w", runId: RUN_ID })],
      ["describe", () => door.client.describe("w")],
      ["result", () => door.client.result("w")],
      ["history", () => door.client.history("w")],
      ["list", () => door.client.list({ searchAttributes: { customer: "acme" } })],
    ];
    for (const [what, call] of calls) {
      const error = await rejection(call);
      expect(error, what).toBeInstanceOf(TooManyConnectionsError);
      expect(error.message, what).toMatch(new RegExp(`too many connections for role "${door.role}".*raise the role's CONNECTION LIMIT`));
      expect((error.cause as { code?: string }).code).toBe("53300");
    }
  });

  it("says to raise the pool's size when a shared pool has no connection free in time", async () => {
    const pool = new pg.Pool({ connectionString: h.db.url, max: 1, connectionTimeoutMillis: 100 });
    const held = await pool.connect();
    const client = new Client({ pool });
    try {
      const error = await rejection(() => client.start("idle", []));
      expect(error).toBeInstanceOf(TooManyConnectionsError);
      expect(error.message).toMatch(/raise the pool's size \(max\)/);
    } finally {
      held.release();
      await client.close();
      await pool.end();
    }
  });
});
