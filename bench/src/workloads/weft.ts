// W1-W4 on weft: worker and clients in this process, against the fresh bench_weft database.
import { performance } from "node:perf_hooks";
import { Client, type WorkflowHandle } from "@weft/sdk";
import { migrate } from "@weft/sql";
import { Worker } from "@weft/worker";
import type { WorkloadName } from "../config.js";
import { w1Metrics, w2Metrics, w3Metrics, w4Metrics } from "../metrics.js";
import { abortable, countedPool, Listener, Poller, sleep } from "../observer.js";
import { packageVersion, range, settledWithin, TEARDOWN_MS } from "./shared.js";
import type { Outcome, Peer, RunContext, Variant } from "./types.js";
import { diagnoseWeft } from "./weft-diagnose.js";
import { activities, FanOut, OneStep, Sequential, Sleeper, workflows } from "./weft-workflows.js";

const RUN_CLOSED_NOTIFY = "LISTEN weft_run_closed (NOTIFY from the closing transaction, delivered at commit), results checked by one query at the end";
const RESULT_API = "client.result() on a second Client (woken by NOTIFY weft_run_closed at commit, then reads the run)";
/** Every channel used in bench_weft, so each NOTIFY wake-up of the observer is seen (observer.ts). */
const CHANNELS = ["jobs:insert", "worker:migrate", "weft_wake", "weft_run_closed"];
const common = { workers: "1 Worker + 2 Clients in the bench process", concurrency: 10 };

export async function weftPeer(): Promise<Peer> {
  return {
    name: "weft",
    version: await packageVersion("@weft/sdk", { withGitCommit: true }),
    database: "bench_weft",
    prepare: (url) => migrate(url),
    variants: (workload: WorkloadName): Variant[] => variants[workload],
  };
}

const variants: Record<WorkloadName, Variant[]> = {
  W1: [{
    workload: "W1",
    variant: "default",
    config: {
      ...common,
      start: "all client.start calls at once (Client pool of 10)",
      completion: "observer polls weft.workflow_runs counts every 20 ms",
      warmup: 5,
    },
    diagnose: diagnoseWeft,
    run: (ctx) => withSystem(ctx, false, (s) => sequential(ctx, s)),
  }],
  W2: [{
    workload: "W2",
    variant: "default",
    config: { ...common, start: "client.start", completion: RESULT_API, warmup: 1 },
    diagnose: diagnoseWeft,
    run: (ctx) => withSystem(ctx, true, (s) => fanOut(ctx, s)),
  }],
  W3: (["result", "notify"] as const).map((observe) => ({
    workload: "W3",
    variant: observe === "result" ? "default" : "notify",
    config: { ...common, start: "client.start", completion: observe === "result" ? RESULT_API : RUN_CLOSED_NOTIFY },
    diagnose: diagnoseWeft,
    run: (ctx) => withSystem(ctx, true, (s) => oneStep(ctx, s, observe)),
  })),
  W4: (["result", "notify"] as const).map((observe) => ({
    workload: "W4",
    variant: observe === "result" ? "default" : "notify",
    config: {
      ...common,
      start: "all client.start calls at once",
      completion: observe === "result" ? RESULT_API : RUN_CLOSED_NOTIFY,
      timer: "yield ctx.sleep(s): a weft.timers row the creating worker schedules in memory and fires with its workflow task (poll fallback)",
      note: "weft timers are whole seconds (ctx.sleep rounds up), so W4_SLEEP_MS must be a multiple of 1000",
    },
    diagnose: diagnoseWeft,
    run: (ctx) => withSystem(ctx, true, (s) => timers(ctx, s, observe)),
  })),
};

/** How a variant sees a run close: weft's result API, or the NOTIFY alone (no reads). */
type Observe = "result" | "notify";

/** Waits for the run to close and returns when that was seen; "notify" checks results later. */
async function closed(s: System, observe: Observe, handle: WorkflowHandle, expected: unknown): Promise<number> {
  if (observe === "notify") return s.probe!.expect(handle.runId);
  const result = await s.results.result(handle);
  if (result !== expected) throw new Error(`workflow returned ${JSON.stringify(result)}, expected ${JSON.stringify(expected)}`);
  return performance.now();
}

/** For "notify": one query checks that every run completed with `expected`. */
async function checkResults(s: System, handles: readonly WorkflowHandle[], expected: unknown): Promise<void> {
  const { rows } = await s.resultsPool.query<{ n: number }>(
    "select count(*)::int as n from weft.workflow_runs where run_id = any($1::uuid[]) and status = 'completed' and result = $2::jsonb",
    [handles.map((h) => h.runId), JSON.stringify(expected)],
  );
  if (rows[0]!.n !== handles.length) throw new Error(`${handles.length - rows[0]!.n} runs did not return ${JSON.stringify(expected)}`);
}

interface System {
  readonly worker: Worker;
  /** Starts workflows. */
  readonly client: Client;
  /** Observes them; its own pool, so its reads neither queue behind starts nor go uncounted. */
  readonly results: Client;
  readonly resultsPool: ReturnType<typeof countedPool>;
  /** Counts the NOTIFY wake-ups that `results` (LISTENing once it waits) costs; W1 has neither. */
  readonly probe: Listener | undefined;
  readonly startedAt: number;
}

async function withSystem(ctx: RunContext, listen: boolean, body: (s: System) => Promise<Outcome>): Promise<Outcome> {
  const worker = await Worker.create({
    databaseUrl: ctx.url,
    workflows,
    activities,
    concurrency: ctx.config.concurrency,
    logger: {
      debug() {},
      info() {},
      warn: (message) => ctx.log(`[weft warn] ${message}`),
      error: (message) => ctx.log(`[weft error] ${message}`),
    },
  });
  const startedAt = performance.now();
  const client = new Client({ databaseUrl: ctx.url });
  const resultsPool = countedPool(ctx.url, 10);
  const results = new Client({ pool: resultsPool });
  let probe: Listener | undefined;
  try {
    if (listen) probe = await Listener.listen(ctx.url, CHANNELS, "weft_run_closed");
    const outcome = await body({ worker, client, results, resultsPool, probe, startedAt });
    const { databaseUrl: _url, ...settings } = worker.config;
    return { ...outcome, config: { worker: settings, ...outcome.config } };
  } finally {
    const stopped = settledWithin(
      (async () => {
        await probe?.close();
        await results.close();
        await resultsPool.end();
        await client.close();
        await worker.shutdown();
      })(),
      TEARDOWN_MS,
    );
    if (!(await stopped)) ctx.log(`[bench] weft teardown still running after ${TEARDOWN_MS} ms; moving on`);
  }
}

async function sequential(ctx: RunContext, s: System): Promise<Outcome> {
  const { workflows: n, steps, warmup } = ctx.config.w1;
  const { signal } = ctx;
  const type = "bench-w1-sequential";
  const poller = await Poller.connect(ctx.url);
  const closedRuns = `select count(*) filter (where status <> 'running')::int as closed,
                             count(*) filter (where status = 'failed')::int as failed
                        from weft.workflow_runs where workflow_type = $1`;
  const poll = { intervalMs: ctx.config.completionPollMs, signal };
  try {
    await abortable(Promise.all(range(warmup).map(() => s.client.start(Sequential, [steps]))), signal);
    await poller.until<{ closed: number }>(closedRuns, [type], (row) => row.closed >= warmup, poll);

    const t0 = performance.now();
    const startAll = Promise.all(range(n).map(() => s.client.start(Sequential, [steps]))).then(() => performance.now() - t0);
    const completed = poller.until<{ closed: number; failed: number }>(
      closedRuns,
      [type],
      (row) => {
        if (row.failed > 0) throw new Error(`${row.failed} W1 workflows failed`);
        ctx.progress(row.closed - warmup, n, "workflows");
        return row.closed >= warmup + n;
      },
      poll,
    );
    completed.catch(() => {}); // observed through the race below
    // A failing start call ends the wait at once instead of at the timeout.
    const doneAt = await Promise.race([completed, startAll.then(() => new Promise<never>(() => {}))]);
    const startAllMs = await abortable(startAll, signal);
    const [check] = await poller.query<{ n: number }>(
      "select count(*)::int as n from weft.workflow_runs where workflow_type = $1 and status = 'completed' and result = $2::jsonb",
      [type, JSON.stringify(steps)],
    );
    if (check!.n !== warmup + n) throw new Error(`only ${check!.n - warmup} of ${n} W1 workflows returned ${steps}`);
    return {
      metrics: w1Metrics({ workflows: n, steps, wallMs: doneAt - t0, startAllMs }),
      meteredSteps: (warmup + n) * steps,
      observer: { statements: poller.xacts, listeners: 0, wakeups: 0 },
    };
  } finally {
    await poller.close();
  }
}

/** result() reads, the LISTEN of `results` (if it waited) and of the probe, and their wake-ups. */
function resultsCost(s: System, observe: Observe = "result") {
  const probe = s.probe!;
  const listeners = observe === "result" ? 2 : 1;
  return { statements: s.resultsPool.checkouts() + probe.statements, listeners, wakeups: probe.wakeups };
}

/** Starts one workflow and waits for its result; returns [ms from before start to result, result]. */
async function roundTrip(s: System, start: () => Promise<WorkflowHandle>, signal: AbortSignal): Promise<[number, unknown]> {
  const t0 = performance.now();
  const handle = await abortable(start(), signal);
  const result = await abortable(s.results.result(handle), signal);
  return [performance.now() - t0, result];
}

async function fanOut(ctx: RunContext, s: System): Promise<Outcome> {
  const { fanout, reps, warmup } = ctx.config.w2;
  const expected = (fanout * (fanout + 1)) / 2;
  const perWorkflowMs: number[] = [];
  for (let i = 0; i < warmup + reps; i++) {
    const [ms, sum] = await roundTrip(s, () => s.client.start(FanOut, [fanout]), ctx.signal);
    if (sum !== expected) throw new Error(`W2 workflow returned ${String(sum)}, expected ${expected}`);
    if (i >= warmup) perWorkflowMs.push(ms);
    ctx.progress(perWorkflowMs.length, reps, "workflows");
  }
  return {
    metrics: w2Metrics({ fanout, perWorkflowMs }),
    meteredSteps: (warmup + reps) * fanout,
    observer: resultsCost(s),
  };
}

async function oneStep(ctx: RunContext, s: System, observe: Observe): Promise<Outcome> {
  const { n, warmup } = ctx.config.w3;
  const latenciesMs: number[] = [];
  const handles: WorkflowHandle[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    const handle = await abortable(s.client.start(OneStep), ctx.signal);
    const at = await abortable(closed(s, observe, handle, 1), ctx.signal);
    handles.push(handle);
    if (i >= warmup) latenciesMs.push(at - t0);
    ctx.progress(latenciesMs.length, n, "workflows");
  }
  if (observe === "notify") await checkResults(s, handles, 1);
  return {
    metrics: w3Metrics({ latenciesMs, warmup }),
    meteredSteps: warmup + n,
    observer: resultsCost(s, observe),
  };
}

async function timers(ctx: RunContext, s: System, observe: Observe): Promise<Outcome> {
  const { n, sleepMs } = ctx.config.w4;
  if (sleepMs % 1000 !== 0) {
    throw new Error(`W4_SLEEP_MS=${sleepMs} is not a multiple of 1000; weft's ctx.sleep rounds up to whole seconds`);
  }
  // Timers are announced (NOTIFY weft_wake), not polled; the offset into the poll cycle is kept anyway.
  const phaseOffsetMs = Math.random() * s.worker.config.pollIntervalMs;
  await sleep(Math.max(0, s.startedAt + phaseOffsetMs - performance.now()), ctx.signal);
  let done = 0;
  const handles: WorkflowHandle[] = [];
  const latenessMs = await abortable(
    Promise.all(
      range(n).map(async () => {
        const t0 = performance.now();
        const handle = await s.client.start(Sleeper, [sleepMs / 1000]);
        handles.push(handle);
        const at = await closed(s, observe, handle, "woke");
        ctx.progress(++done, n, "workflows");
        return at - (t0 + sleepMs);
      }),
    ),
    ctx.signal,
  );
  if (observe === "notify") await checkResults(s, handles, "woke");
  return {
    metrics: w4Metrics({ latenessMs, sleepMs, phaseOffsetMs }),
    meteredSteps: n,
    observer: resultsCost(s, observe),
  };
}
