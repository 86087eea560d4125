// The workflow both sides of the crash tests run: three sequential steps, 0 -> 3.
import { registerWorkflow, ScheduleActivity } from "@weft/sdk";

export class CrashChain {
  *run(_ctx, n) {
    for (let i = 0; i < 3; i++) n = yield new ScheduleActivity("step", [n]);
    return n;
  }
}
registerWorkflow(CrashChain, { name: "crash-chain" });

export async function logAttempt(pool, ctx) {
  await pool.query("insert into crash_log (run_id, activity_id, attempt, pid) values ($1, $2, $3, $4)", [
    ctx.info.runId, ctx.info.activityId, ctx.attempt, process.pid,
  ]);
}
