// `weft dev` as a user runs it: one process with the server, a worker of the order example and
// an admin key, driven over HTTP; Ctrl-C (SIGINT) stops it cleanly.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../sql/test/support/database.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

describe("weft dev", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("serves the example workflow over HTTP with the key it prints, and stops on SIGINT", async () => {
    const child = spawn(process.execPath, [MAIN, "dev", "--database-url", db.url, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    const exited = once(child, "exit");
    try {
      const printed: Record<string, string> = {};
      for await (const line of createInterface({ input: child.stdout })) {
        const [, name, value] = /^(\w[\w ]*?):\s+(\S+)/.exec(line) ?? [];
        if (name && value) printed[name] = value;
        if (name === "worker") break;
      }
      const { server, "admin key": key } = printed;
      expect(server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(key).toMatch(/^weft_[0-9a-f]{64}$/);
      const api = (path: string, body?: unknown) =>
        fetch(`${server}/api/v1/namespaces/default${path}`, {
          method: body === undefined ? "GET" : "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });

      expect((await fetch(`${server}/readyz`)).status).toBe(200);
      expect((await api("/workflows", { workflowType: "order", args: [{ orderId: 7 }], workflowId: "order-7" })).status).toBe(201);
      expect((await api("/workflows/order-7/signals/approve", { args: [] })).status).toBe(202);
      const result = (await (await api("/workflows/order-7/result?waitSeconds=30")).json()) as { status: string; result: { status: string } };
      expect(result).toMatchObject({ status: "completed", result: { status: "shipped" } });
    } finally {
      child.kill("SIGINT");
    }
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it("refuses a module that exports nothing to run, saying what it must export", async () => {
    const empty = fileURLToPath(new URL("../dist/signals.js", import.meta.url)); // exports neither
    const child = spawn(process.execPath, [MAIN, "worker", "--database-url", db.url, "--module", empty], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(stderr).toMatch(/must export|exports neither/);
  });
});
