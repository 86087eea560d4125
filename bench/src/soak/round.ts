// One round's load: start the workflows, then, while they run, send their signals, roll signals
// back, terminate a few and (CHAOS_MS) kill worker processes; wait for every result.
import { setMaxListeners } from "node:events";
import pg from "pg";
import type { Client, WorkflowHandle } from "@weft/sdk";
import { abortable, sleep } from "../observer.js";
import type { SoakConfig } from "./config.js";
import { stalled } from "./stall.js";
import type { WorkerFleet } from "./worker-fleet.js";
import { randomInt, randomSpec, SOAK_SIGNAL, SOAK_WORKFLOW, TASK_QUEUE, type SoakSpec } from "./workflows.js";

export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

export interface RoundLoad {
  readonly round: number;
  readonly specs: readonly SoakSpec[];
  readonly handles: readonly WorkflowHandle[];
  readonly outcomes: readonly Outcome[];
  /** Indexes of the workflows a terminate call succeeded on. */
  readonly terminated: ReadonlySet<number>;
  readonly signalsSent: number;
  readonly signalsPlanned: number;
  /** Signals that failed on a workflow not chosen for termination: each is a problem. */
  readonly signalFailures: readonly string[];
  /** Terminate calls that failed (the run had closed first): not a problem. */
  readonly terminateErrors: readonly string[];
  readonly rollbacks: number;
  readonly startMs: number;
  readonly closedMs: number;
}

const SIGNALS_IN_FLIGHT = 8;

export async function runRound(
  round: number,
  config: SoakConfig,
  databaseUrl: string,
  pool: pg.Pool,
  client: Client,
  fleet: WorkerFleet,
): Promise<RoundLoad> {
  const n = config.workflowsPerRound;
  const specs = Array.from({ length: n }, () => randomSpec(config.timers));
  const stamp = Date.now();
  const t0 = Date.now();
  const handles = await Promise.all(
    specs.map((spec, i) =>
      client.start(SOAK_WORKFLOW, [spec], { workflowId: `r${round}-w${i}-${stamp}`, taskQueue: TASK_QUEUE }),
    ),
  );
  const startMs = Date.now() - t0;

  let done = false;
  const toTerminate = new Set(specs.map((_, i) => i).filter(() => Math.random() < config.terminateFraction));
  const terminated = new Set<number>();
  const terminateErrors: string[] = [];
  const terminations = [...toTerminate].map(async (i) => {
    await sleep(randomInt(0, 2000));
    try {
      await client.terminate(handles[i]!, "soak");
      terminated.add(i);
    } catch (error) {
      terminateErrors.push((error as Error).message);
    }
  });

  // Exactly nsig signals per workflow, numbered 0..nsig-1, at random times.
  const planned = specs
    .flatMap((spec, i) => Array.from({ length: spec.nsig }, (_, k) => ({ at: randomInt(0, config.signalSpreadMs), i, k })))
    .sort((a, b) => a.at - b.at);
  let signalsSent = 0;
  const signalFailures: string[] = [];
  const signals = (async () => {
    const inFlight = new Set<Promise<void>>();
    for (const s of planned) {
      const wait = t0 + s.at - Date.now();
      if (wait > 0) await sleep(wait);
      while (inFlight.size >= SIGNALS_IN_FLIGHT) await Promise.race(inFlight);
      const p: Promise<void> = client
        .signal(handles[s.i]!, SOAK_SIGNAL, [s.k])
        .then(
          () => void signalsSent++,
          (error: Error) => {
            if (!toTerminate.has(s.i)) signalFailures.push(`signal to ${handles[s.i]!.workflowId} failed: ${error.message}`);
          },
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  })();

  // Each rollbacker signals a random run inside a transaction it rolls back, holding the run's
  // locks for a moment. The workflow counts a negative signal as `bad`, which must stay 0.
  let rollbacks = 0;
  const rollbackers = Array.from({ length: config.rollbackers }, async (_, r) => {
    const connection = new pg.Client({ connectionString: databaseUrl });
    await connection.connect();
    try {
      while (!done) {
        const handle = handles[randomInt(0, n - 1)]!;
        try {
          await connection.query("begin");
          await connection.query("select weft.signal_workflow($1, $2, $3::jsonb)", [
            handle.workflowId,
            SOAK_SIGNAL,
            JSON.stringify([-1 - r]),
          ]);
          await sleep(randomInt(0, 15));
        } catch {
          // The run has closed.
        }
        await connection.query("rollback");
        rollbacks++;
        await sleep(randomInt(0, 5));
      }
    } finally {
      await connection.end();
    }
  });

  const chaos = (async () => {
    if (config.chaosMs === 0) return;
    while (!done) {
      await sleep(randomInt(config.chaosMs / 2, config.chaosMs * 1.5));
      if (!done) await fleet.kill(randomInt(0, fleet.size - 1));
    }
  })();

  // Awaited once the results are in; a failure (say, a lost connection) then fails the round.
  const background = [signals, ...terminations, ...rollbackers, chaos];
  for (const task of background) task.catch(() => {});

  // Waiting ends at RESULT_TIMEOUT, or sooner once no run has moved for STALL_MS (stall.ts).
  const finished = new AbortController();
  const stuck = new AbortController();
  setMaxListeners(n, stuck.signal); // one per result
  const watch = stalled(pool, handles.map((h) => h.runId), config.stallMs, finished.signal).then((ms) => {
    if (ms !== null) stuck.abort(new Error(`no run of round ${round} moved for ${Math.round(ms / 1000)} s`));
  });
  const outcomes = await Promise.all(
    handles.map((h) =>
      abortable(client.result(h, { timeoutSeconds: config.resultTimeoutMs / 1000 }), stuck.signal).then(
        (value): Outcome => ({ ok: true, value }),
        (error: Error): Outcome => ({ ok: false, error }),
      ),
    ),
  );
  const closedMs = Date.now() - t0;
  done = true;
  finished.abort();
  await Promise.all([...background, watch]);
  return {
    round,
    specs,
    handles,
    outcomes,
    terminated,
    signalsSent,
    signalsPlanned: planned.length,
    signalFailures,
    terminateErrors,
    rollbacks,
    startMs,
    closedMs,
  };
}
