// Worker.create returns a running worker or leaves nothing running. It once started the timers
// and graphile-worker before registering the worker, and a refused connection left them
// processing jobs with no heartbeat and no handle to stop them.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useHarness, waitFor } from "./support/harness.js";

const CREATE_WORKER = fileURLToPath(new URL("./support/create-worker.mjs", import.meta.url));

describe("a failed Worker.create", () => {
  const h = useHarness();

  /** A role PostgreSQL gives one connection at a time, with the rights a worker needs. */
  async function oneConnectionRole(): Promise<{ role: string; url: string }> {
    const role = `weft_one_conn_${randomBytes(4).toString("hex")}`;
    await h.db.pool.query(`create role ${role} login password 'one' bypassrls connection limit 1`);
    for (const schema of ["weft", "graphile_worker"]) {
      await h.db.pool.query(`grant usage on schema ${schema} to ${role}`);
      await h.db.pool.query(`grant all on all tables in schema ${schema} to ${role}`);
      await h.db.pool.query(`grant all on all sequences in schema ${schema} to ${role}`);
      await h.db.pool.query(`grant execute on all functions in schema ${schema} to ${role}`);
    }
    const url = new URL(h.db.url);
    url.username = role;
    url.password = "one";
    return { role, url: url.toString() };
  }

  it("throws TooManyConnectionsError and leaves nothing running: no connection, no worker row, no job taken, no handle", async () => {
    const { role, url } = await oneConnectionRole();
    await h.db.pool.query("select weft.register_workflow_types('default', array['idle'])");
    const handle = await h.client.start("idle", []);

    const child = spawn(process.execPath, [CREATE_WORKER, url], { stdio: ["pipe", "pipe", "inherit"] });
    const exited = once(child, "exit");
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
      const outcome = JSON.parse(line) as { name?: string; message?: string };
      expect(outcome.name).toBe("TooManyConnectionsError");
      expect(outcome.message).toMatch(/raise the role's CONNECTION LIMIT/);

      // The process is alive, and holds no connection: nothing can take a job.
      await waitFor(async () => {
        const { rows } = await h.db.pool.query("select count(*)::int as n from pg_stat_activity where usename = $1", [role]);
        return rows[0].n === 0;
      }, 5000);
      const { rows: workers } = await h.db.pool.query("select worker_id from weft.workers");
      expect(workers).toEqual([]);
      const { rows: jobs } = await h.db.pool.query("select attempts, locked_at from graphile_worker.jobs"); // the run's first task
      expect(jobs).toEqual([{ attempts: 0, locked_at: null }]);
      expect((await h.client.describe(handle)).status).toBe("running");

      // Once stdin closes, nothing keeps the process alive: no pool, timer or graphile-worker.
      child.stdin!.end();
      const stillRunning = new Promise<["still running"]>((resolve) => setTimeout(() => resolve(["still running"]), 5000));
      const [code] = await Promise.race([exited, stillRunning]);
      expect(code).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await h.db.pool.query(`drop owned by ${role}`);
      await h.db.pool.query(`drop role ${role}`);
    }
  });
});
