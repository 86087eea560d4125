// `pnpm soak`: rounds of randomized workflows (fan-outs, timers, children, signals) on forked
// worker processes, under rolled-back signals, terminations and optionally kill -9 and failed
// workflow tasks; the invariants of checks.ts after each round. Settings: config.ts.
// Progress goes to stderr, the one-line summary to stdout. Exit 1 when an invariant failed,
// 2 when the soak itself could not run (bad settings, no database).
import pg from "pg";
import { Client } from "@weft/sdk";
import { migrate } from "@weft/sql";
import { describeFailure, Server } from "../database.js";
import { checkRound } from "./checks.js";
import { parseConfig, type SoakConfig } from "./config.js";
import { runRound, type RoundLoad } from "./round.js";
import { WorkerFleet } from "./worker-fleet.js";
import { activityCount } from "./workflows.js";

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let config: SoakConfig;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    log((error as Error).message);
    return 2;
  }
  // A given database is used as it is; the embedded server gets a fresh one each time.
  const server = config.databaseUrl ? undefined : await Server.open(undefined, log);
  try {
    const url = config.databaseUrl ?? (await server!.createFresh("weft_soak"));
    await migrate(url);
    return await soak(config, url);
  } finally {
    await server?.close();
  }
}

async function soak(config: SoakConfig, url: string): Promise<number> {
  const fleet = await WorkerFleet.start(url, config.worker, config.processes);
  const client = new Client({ databaseUrl: url });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  log(`soak: ${config.rounds} rounds x ${config.workflowsPerRound} workflows on ${describeWorkers(config)}`);

  const problems: string[] = [];
  const totals = { ok: 0, terminated: 0, bad: 0, closedMs: 0 };
  try {
    for (let round = 1; round <= config.rounds; round++) {
      const load = await runRound(round, config, url, pool, client, fleet);
      const check = await checkRound(pool, load);
      log(
        `round ${round}/${config.rounds}: ${describeLoad(load)} | ok ${check.ok}, terminated ${check.terminated}, ` +
          `bad ${check.bad} (no result ${check.stuck}) | ${check.workflowTasks} workflow tasks | ` +
          `${check.problems.length} problems | kills so far ${fleet.kills}`,
      );
      for (const note of check.notes) log(`  ${note}`);
      problems.push(...check.problems);
      totals.ok += check.ok;
      totals.terminated += check.terminated;
      totals.bad += check.bad;
      totals.closedMs += load.closedMs;
    }
  } finally {
    await fleet.stop();
    await client.close();
    await pool.end();
  }
  problems.push(...fleet.unexpectedExits);

  const logged = fleet.topLogCounts(12);
  if (logged.length > 0) log(`worker warnings and errors, most frequent first:\n  ${logged.map(([m, n]) => `${n} x ${m}`).join("\n  ")}`);
  if (problems.length > 0) log(`PROBLEMS (${problems.length}):\n  ${problems.slice(0, 30).join("\n  ")}`);
  process.stdout.write(
    `soak ${problems.length === 0 ? "passed" : "FAILED"}: ${config.rounds} rounds x ${config.workflowsPerRound} workflows, ` +
      `ok ${totals.ok}, terminated ${totals.terminated}, bad ${totals.bad}; ${problems.length} problems; ` +
      `${fleet.kills} kills, ${fleet.flakes} failed tasks injected; mean round ${Math.round(totals.closedMs / config.rounds)} ms\n`,
  );
  return problems.length === 0 ? 0 : 1;
}

function describeWorkers(c: SoakConfig): string {
  const w = c.worker;
  return (
    `${c.processes} processes x ${w.instances} Workers (concurrency ${w.concurrency}, maxStepsPerJob ${w.maxStepsPerJob}, ` +
    `maxCachedWorkflows ${w.maxCachedWorkflows}, fetchBatchSize ${w.fetchBatchSize}); ` +
    `CHAOS_MS ${c.chaosMs}, FLAKY ${w.flaky}, ROLLBACKERS ${c.rollbackers}, TERM_FRAC ${c.terminateFraction}`
  );
}

function describeLoad(load: RoundLoad): string {
  const activities = load.specs.reduce((a, s) => a + activityCount(s), 0);
  return (
    `${load.specs.length} workflows, ${activities} activities, ${load.signalsSent}/${load.signalsPlanned} signals, ` +
    `${load.rollbacks} rolled back; started in ${load.startMs} ms, closed in ${load.closedMs} ms ` +
    `(${Math.round((activities * 1000) / load.closedMs)} activities/s)`
  );
}

main().then(
  async (code) => {
    await new Promise((resolve) => process.stdout.write("", resolve));
    process.exit(code);
  },
  (error: unknown) => {
    log(`soak failed: ${describeFailure(error)}`);
    process.exit(2);
  },
);
