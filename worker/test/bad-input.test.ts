import { beforeAll, describe, expect, it } from "vitest";
import {
  PayloadError,
  UnknownWorkflowTypeError,
  WorkflowAlreadyRunningError,
  WorkflowNotFoundError,
  mapDatabaseError,
} from "@weft/sdk";
import { MAX_PAYLOAD_BYTES } from "@weft/sdk/internal";
import { Approval } from "./support/workflows.js";
import { rowCounts, useHarness } from "./support/harness.js";

describe("bad input is refused with a typed error and writes nothing", () => {
  const h = useHarness();

  async function expectRefused(action: () => Promise<unknown>, ErrorClass: new (...args: never[]) => Error, message: RegExp) {
    const before = await rowCounts(h.db.pool);
    const error = await action().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as Error).message).toMatch(message);
    expect(await rowCounts(h.db.pool)).toEqual(before);
  }

  beforeAll(async () => {
    const worker = await h.startWorker({ workflows: [Approval] }); // registers "approval"
    await h.stopWorker(worker);
  });

  it("unknown workflow type", async () => {
    await expectRefused(() => h.client.start("no-such-workflow", []), UnknownWorkflowTypeError, /unknown workflow type "no-such-workflow"/);
    await expectRefused(() => h.client.start("approval", [], { taskQueue: "elsewhere" }), UnknownWorkflowTypeError, /task queue "elsewhere"/);
  });

  it("arguments that are not JSON", async () => {
    await expectRefused(() => h.client.start("approval", [() => 1]), PayloadError, /JSON/);
    await expectRefused(() => h.client.start("approval", [10n]), PayloadError, /JSON/);
    await expectRefused(() => h.client.start("approval", [{ when: new Date() }]), PayloadError, /JSON/);
    await expectRefused(() => h.client.start("approval", "not an array" as unknown as unknown[]), PayloadError, /array/);
    await expectRefused(
      () => h.db.pool.query(`select weft.start_workflow('approval', '{not json')`).catch((e) => Promise.reject(mapDatabaseError(e))),
      PayloadError,
      /invalid input syntax for type json/,
    );
    await expectRefused(
      () => h.db.pool.query(`select weft.start_workflow('approval', '{"a": 1}')`).catch((e) => Promise.reject(mapDatabaseError(e))),
      PayloadError,
      /must be a JSON array/,
    );
  });

  it("oversized arguments", async () => {
    const big = "x".repeat(MAX_PAYLOAD_BYTES);
    await expectRefused(() => h.client.start("approval", [big]), PayloadError, /over the limit/);
    await expectRefused(
      () =>
        h.db.pool
          .query(`select weft.start_workflow('approval', jsonb_build_array(repeat('x', $1)))`, [MAX_PAYLOAD_BYTES])
          .catch((e) => Promise.reject(mapDatabaseError(e))),
      PayloadError,
      /over the limit/,
    );
  });

  it("duplicate open workflow id", async () => {
    await h.client.start("approval", [], { workflowId: "dup" });
    await expectRefused(() => h.client.start("approval", [], { workflowId: "dup" }), WorkflowAlreadyRunningError, /"dup" is already running/);
  });

  it("refuses one start of a concurrent batch and keeps the others", async () => {
    await h.client.start("approval", [], { workflowId: "taken" });
    // Started in one turn of the event loop, so the client sends them as one batch.
    const [refused, unknown, ok] = await Promise.allSettled([
      h.client.start("approval", [], { workflowId: "taken" }),
      h.client.start("no-such-workflow", []),
      h.client.start("approval", [], { workflowId: "free" }),
    ]);
    expect(refused.status === "rejected" && refused.reason).toBeInstanceOf(WorkflowAlreadyRunningError);
    expect(unknown.status === "rejected" && unknown.reason).toBeInstanceOf(UnknownWorkflowTypeError);
    expect(ok.status === "fulfilled" && ok.value.workflowId).toBe("free");
  });

  it("signal to a closed or unknown run", async () => {
    await h.client.start("approval", [], { workflowId: "closes" });
    const worker = await h.startWorker({ workflows: [Approval] });
    await h.client.signal("closes", "approve", ["x"]);
    await h.client.result("closes", { timeoutSeconds: 10 });
    await h.stopWorker(worker);
    await expectRefused(() => h.client.signal("closes", "approve", ["y"]), WorkflowNotFoundError, /is completed/);
    await expectRefused(() => h.client.signal("never-was", "approve"), WorkflowNotFoundError, /not found/);
  });

  it("a workflow id can be reused once its run closed", async () => {
    const handle = await h.client.start("approval", [], { workflowId: "closes" });
    expect(handle.workflowId).toBe("closes");
  });
});
