// The reference: W1-W4 as raw graphile-worker 0.18 jobs, runner and WorkerUtils in this
// process, against the fresh bench_gw database.
import { performance } from "node:perf_hooks";
import { Logger, makeWorkerUtils, run, runMigrations, type Runner, type WorkerUtils } from "graphile-worker";
import pg from "pg";
import type { WorkloadName } from "../config.js";
import { w1Metrics, w2Metrics, w3Metrics, w4Metrics } from "../metrics.js";
import { abortable, Listener, Poller, sleep } from "../observer.js";
import { benchSchema, DONE_CHANNEL, Tally, taskList, tasks } from "./graphile-tasks.js";
import { packageVersion, range, settledWithin, TEARDOWN_MS } from "./shared.js";
import type { Outcome, Peer, RunContext, Variant } from "./types.js";

const DEFAULT_POLL_MS = 2000; // graphile-worker's own default
/** Every channel used in bench_gw, so each NOTIFY wake-up of the observer is seen (observer.ts). */
const CHANNELS = [DONE_CHANNEL, "jobs:insert", "worker:migrate"];
const TRIGGER_NOTIFY = "NOTIFY from an AFTER DELETE trigger on graphile_worker._private_jobs (a completed job is deleted)";
const common = { workers: "1 runner + WorkerUtils in the bench process", concurrency: 10, worker_pool: 14, client_pool: 10 };

export async function graphilePeer(): Promise<Peer> {
  return {
    name: "graphile-worker",
    version: await packageVersion("graphile-worker"),
    database: "bench_gw",
    prepare: async (url) => {
      await runMigrations({ connectionString: url, logger: quietLogger(() => {}) });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(benchSchema);
      } finally {
        await client.end();
      }
    },
    variants: (workload: WorkloadName): Variant[] => [variants[workload]],
  };
}

const variants: Record<WorkloadName, Variant> = {
  W1: {
    workload: "W1",
    variant: "chain",
    config: {
      ...common,
      poll_interval_ms: DEFAULT_POLL_MS,
      start: "all addJob calls at once",
      completion: "observer polls the count of graphile_worker._private_jobs every 20 ms (done: all starts returned, no job left)",
      chain: "job i enqueues job i+1 with helpers.addJob; not atomic with job i's completion",
      warmup: 5,
    },
    run: (ctx) => withRunner(ctx, DEFAULT_POLL_MS, false, (s) => chain(ctx, s)),
  },
  W2: {
    workload: "W2",
    variant: "counter",
    config: {
      ...common,
      poll_interval_ms: DEFAULT_POLL_MS,
      start: "addJob(parent)",
      completion: `${TRIGGER_NOTIFY}, for the join job`,
      fan_in:
        "parent inserts the counter row and 200 children in one statement; a child decrements the counter and at 0 " +
        "enqueues the join in one statement, not atomic with the child's own completion",
      warmup: 1,
    },
    run: (ctx) => withRunner(ctx, DEFAULT_POLL_MS, true, (s) => fanOut(ctx, s)),
  },
  W3: {
    workload: "W3",
    variant: "one-job",
    config: { ...common, poll_interval_ms: DEFAULT_POLL_MS, start: "addJob", completion: TRIGGER_NOTIFY },
    run: (ctx) => withRunner(ctx, DEFAULT_POLL_MS, true, (s) => oneJob(ctx, s)),
  },
  W4: {
    workload: "W4",
    variant: "poll200",
    config: {
      ...common,
      poll_interval_ms: 200,
      start: "all addJob calls at once, runAt = now + sleep",
      completion: TRIGGER_NOTIFY,
    },
    run: (ctx) => withRunner(ctx, ctx.config.w4.graphilePollMs, true, (s) => delayed(ctx, s)),
  },
};

interface System {
  readonly utils: WorkerUtils;
  readonly tally: Tally;
  /** Completion NOTIFYs, for W2-W4; W1 polls and has no listener. */
  readonly done: Listener | undefined;
  readonly startedAt: number;
}

async function withRunner(
  ctx: RunContext,
  pollInterval: number,
  listen: boolean,
  body: (s: System) => Promise<Outcome>,
): Promise<Outcome> {
  const workerPool = new pg.Pool({ connectionString: ctx.url, max: ctx.config.concurrency + 4 });
  const clientPool = new pg.Pool({ connectionString: ctx.url, max: 10 });
  const logger = quietLogger(ctx.log);
  // graphile-worker refuses to stay quiet about pools without both handlers.
  const onError = (error: Error) => ctx.log(`[bench] idle connection failed: ${error.message}`);
  for (const pool of [workerPool, clientPool]) {
    pool.on("error", onError);
    pool.on("connect", (client) => client.on("error", onError));
  }
  const tally = new Tally();
  let runner: Runner | undefined;
  let utils: WorkerUtils | undefined;
  let done: Listener | undefined;
  try {
    runner = await run({
      pgPool: workerPool,
      concurrency: ctx.config.concurrency,
      pollInterval,
      noHandleSignals: true,
      taskList: taskList(tally),
      logger,
    });
    const startedAt = performance.now();
    utils = await makeWorkerUtils({ pgPool: clientPool, logger });
    if (listen) done = await Listener.listen(ctx.url, CHANNELS, DONE_CHANNEL);
    return await body({ utils, tally, done, startedAt });
  } finally {
    const stopped = settledWithin(
      (async () => {
        await done?.close();
        await utils?.release();
        await runner?.stop();
        await Promise.all([workerPool.end(), clientPool.end()]);
      })(),
      TEARDOWN_MS,
    );
    if (!(await stopped)) ctx.log(`[bench] graphile-worker teardown still running after ${TEARDOWN_MS} ms; moving on`);
  }
}

async function chain(ctx: RunContext, s: System): Promise<Outcome> {
  const { workflows: n, steps, warmup } = ctx.config.w1;
  const { signal } = ctx;
  const jobsLeft = "select count(*)::int as jobs from graphile_worker._private_jobs";
  const poller = await Poller.connect(ctx.url);
  try {
    const first = { s: steps, i: 0, x: 0 };
    await abortable(Promise.all(range(warmup).map(() => s.utils.addJob(tasks.w1Step, first))), signal);
    const poll = { intervalMs: ctx.config.completionPollMs, signal };
    await poller.until<{ jobs: number }>(jobsLeft, [], (row) => row.jobs === 0, poll);

    const t0 = performance.now();
    let startAllMs: number | undefined;
    const startAll = Promise.all(range(n).map(() => s.utils.addJob(tasks.w1Step, first))).then(() => {
      startAllMs = performance.now() - t0;
    });
    const completed = poller.until<{ jobs: number }>(
      jobsLeft,
      [],
      (row) => {
        ctx.progress(s.tally.w1Finished - warmup, n, "chains");
        return startAllMs !== undefined && row.jobs === 0;
      },
      poll,
    );
    completed.catch(() => {}); // observed through the race below
    // A failing addJob ends the wait at once instead of at the timeout.
    const doneAt = await Promise.race([completed, startAll.then(() => new Promise<never>(() => {}))]);
    if (s.tally.w1Finished !== warmup + n || s.tally.w1Wrong.length > 0) {
      throw new Error(`W1 chains: ${s.tally.w1Finished - warmup} of ${n} finished, ${s.tally.w1Wrong.length} with a wrong result`);
    }
    return {
      metrics: w1Metrics({ workflows: n, steps, wallMs: doneAt - t0, startAllMs: startAllMs! }),
      meteredSteps: (warmup + n) * steps,
      observer: { statements: poller.xacts, listeners: 0, wakeups: 0 },
    };
  } finally {
    await poller.close();
  }
}

/** Adds one job and waits for the NOTIFY of the job whose deletion completes it; returns ms. */
async function roundTrip(s: System, r: string, add: () => Promise<unknown>, signal: AbortSignal): Promise<number> {
  const completed = s.done!.expect(r);
  const t0 = performance.now();
  await abortable(add(), signal);
  return (await abortable(completed, signal)) - t0;
}

async function fanOut(ctx: RunContext, s: System): Promise<Outcome> {
  const { fanout, reps, warmup } = ctx.config.w2;
  const expected = (fanout * (fanout + 1)) / 2;
  const perWorkflowMs: number[] = [];
  for (let i = 0; i < warmup + reps; i++) {
    const r = `w2-${i}`;
    const ms = await roundTrip(s, r, () => s.utils.addJob(tasks.w2Parent, { r, f: fanout }), ctx.signal);
    const total = s.tally.w2Totals.get(r);
    if (total !== expected) throw new Error(`W2 join saw ${String(total)}, expected ${expected}`);
    if (i >= warmup) perWorkflowMs.push(ms);
    ctx.progress(perWorkflowMs.length, reps, "workflows");
  }
  return {
    metrics: w2Metrics({ fanout, perWorkflowMs }),
    meteredSteps: (warmup + reps) * fanout,
    observer: listenerCost(s.done!),
  };
}

async function oneJob(ctx: RunContext, s: System): Promise<Outcome> {
  const { n, warmup } = ctx.config.w3;
  const latenciesMs: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const r = `w3-${i}`;
    const ms = await roundTrip(s, r, () => s.utils.addJob(tasks.w3Job, { r, n: 0 }), ctx.signal);
    if (i >= warmup) latenciesMs.push(ms);
    ctx.progress(latenciesMs.length, n, "jobs");
  }
  return { metrics: w3Metrics({ latenciesMs, warmup }), meteredSteps: warmup + n, observer: listenerCost(s.done!) };
}

async function delayed(ctx: RunContext, s: System): Promise<Outcome> {
  const { n, sleepMs, graphilePollMs } = ctx.config.w4;
  // Lateness depends on where the deadlines fall in the poll cycle: start at a random point of it.
  const phaseOffsetMs = Math.random() * graphilePollMs;
  await sleep(Math.max(0, s.startedAt + phaseOffsetMs - performance.now()), ctx.signal);
  let done = 0;
  const latenessMs = await abortable(
    Promise.all(
      range(n).map(async (i) => {
        const r = `w4-${i}`;
        const completed = s.done!.expect(r);
        const t0 = performance.now();
        await s.utils.addJob(tasks.w4Job, { r }, { runAt: new Date(Date.now() + sleepMs) });
        const at = await completed;
        ctx.progress(++done, n, "jobs");
        return at - (t0 + sleepMs);
      }),
    ),
    ctx.signal,
  );
  return {
    metrics: w4Metrics({ latenessMs, sleepMs, phaseOffsetMs }),
    meteredSteps: n,
    observer: listenerCost(s.done!),
  };
}

function listenerCost(done: Listener) {
  return { statements: done.statements, listeners: 1, wakeups: done.wakeups };
}

// graphile-worker logs every job at info level; only its warnings and errors are shown.
function quietLogger(log: (line: string) => void): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") log(`[graphile-worker ${level}] ${message}`);
  });
}
