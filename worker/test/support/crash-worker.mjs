// A worker process for crash tests, run with plain node (hence JS, decorator-free).
// argv: <databaseUrl> <mode>, mode "activity" (hang inside the first activity, to be killed),
// "workflow-task" (SIGKILL itself just before the first workflow task commits) or
// "run-close" (the same, for the first task that closes a run: a child's).
import pg from "pg";
import { Worker } from "@weft/worker";
import { armFaultPoint } from "@weft/worker/testing";
import { CrashChain, CrashParent, logAttempt } from "./crash-chain.mjs";

const [databaseUrl, mode] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
let hung = false;

if (mode === "workflow-task") armFaultPoint("workflow-task:before-commit");
if (mode === "run-close") armFaultPoint("run-close:before-commit");

await Worker.create({
  databaseUrl,
  workflows: [CrashChain, CrashParent],
  activities: {
    step: async (ctx, n) => {
      await logAttempt(pool, ctx);
      if (mode === "activity" && !hung) {
        hung = true;
        await pool.query("insert into crash_log (run_id, activity_id, attempt, hung) values ($1, $2, $3, true)", [
          ctx.info.runId, ctx.info.activityId, ctx.attempt,
        ]);
        await new Promise(() => {}); // killed here
      }
      return n + 1;
    },
  },
  heartbeatIntervalMs: 200,
  staleWorkerMs: 1000,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
});
process.send?.("ready");
