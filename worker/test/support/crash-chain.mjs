// The workflows both sides of the crash tests run: three sequential steps, 0 -> 3, and a
// parent of three such children.
import { registerWorkflow, ScheduleActivity, StartChildWorkflow } from "@weft/sdk";

export class CrashChain {
  *run(_ctx, n) {
    for (let i = 0; i < 3; i++) n = yield new ScheduleActivity("step", [n]);
    return n;
  }
}
registerWorkflow(CrashChain, { name: "crash-chain" });

export class CrashParent {
  *run() {
    return yield [0, 0, 0].map((n) => new StartChildWorkflow("crash-chain", [n]));
  }
}
registerWorkflow(CrashParent, { name: "crash-parent" });

export async function logAttempt(pool, ctx) {
  await pool.query("insert into crash_log (run_id, activity_id, attempt, pid) values ($1, $2, $3, $4)", [
    ctx.info.runId, ctx.info.activityId, ctx.attempt, process.pid,
  ]);
}
