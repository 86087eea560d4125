import { z } from "zod";

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const atLeastZero = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
const fraction = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);

/**
 * Environment variables of `pnpm soak`, with their defaults (sized to finish in about a
 * minute on two cores):
 *   DATABASE_URL    database to run in, migrated in place; absent: a fresh weft_soak database
 *                   on the embedded server (bench/src/database.ts)
 *   ROUNDS=3        rounds; the invariants are checked after each
 *   WF=30           workflows started per round
 *   PROCS=2         worker processes (forked)
 *   INSTANCES=1     Workers per process
 *   CONCURRENCY=10, STEPS=100 (maxStepsPerJob), CACHE=1000 (maxCachedWorkflows),
 *   FETCH=0 (fetchBatchSize): options of each Worker
 *   CHAOS_MS=0      kill -9 a random worker process every ~CHAOS_MS ms and fork a new one; 0: off
 *   FLAKY=0         probability, at each yield of a soak workflow, of a failed workflow task
 *   ROLLBACKERS=2   connections that keep signalling a random run and rolling the signal back
 *   TERM_FRAC=0.06  fraction of each round's workflows terminated at a random time
 *   SIG_SPREAD_MS=2500   signals go out over this long after a round's starts
 *   STALL_MS=90000  ms with none of a round's runs moving (stall.ts) before its open workflows
 *                   count as stuck. Machine speed does not enter it: the longest wait of a healthy
 *                   run is a failed workflow task's retry backoff, at most 60 s
 *                   (weft.fail_workflow_task); a killed worker's jobs are back within
 *                   staleWorkerMs + heartbeatIntervalMs (2.5 s under chaos)
 *   RESULT_TIMEOUT=600000 ms a round may take in all before its open workflows count as stuck
 *                   (runs that move but never finish); a round of WF=100 takes 30-60 s on 2 busy cores
 *   NO_TIMERS=false true: the workflows start no timers
 */
const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  ROUNDS: count(3),
  WF: count(30),
  PROCS: count(2),
  INSTANCES: count(1),
  CONCURRENCY: count(10),
  STEPS: atLeastZero(100),
  CACHE: atLeastZero(1000),
  FETCH: atLeastZero(0),
  CHAOS_MS: atLeastZero(0),
  FLAKY: z.coerce.number().min(0).lt(1).default(0),
  ROLLBACKERS: atLeastZero(2),
  TERM_FRAC: fraction(0.06),
  SIG_SPREAD_MS: atLeastZero(2500),
  STALL_MS: count(90_000),
  RESULT_TIMEOUT: count(600_000),
  NO_TIMERS: z.stringbool().default(false),
});

/** Options of the Workers in each worker process (a subset of @weft/worker's WorkerOptions). */
export interface SoakWorkerOptions {
  readonly instances: number;
  readonly concurrency: number;
  readonly maxStepsPerJob: number;
  readonly maxCachedWorkflows: number;
  readonly fetchBatchSize: number;
  readonly heartbeatIntervalMs: number;
  readonly staleWorkerMs: number;
  /** Probability of a failed workflow task at each yield (workflows.ts). */
  readonly flaky: number;
}

export interface SoakConfig {
  readonly databaseUrl: string | undefined;
  readonly rounds: number;
  readonly workflowsPerRound: number;
  readonly processes: number;
  readonly worker: SoakWorkerOptions;
  readonly chaosMs: number;
  readonly rollbackers: number;
  readonly terminateFraction: number;
  readonly signalSpreadMs: number;
  readonly stallMs: number;
  readonly resultTimeoutMs: number;
  readonly timers: boolean;
}

export function parseConfig(env: NodeJS.ProcessEnv): SoakConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`bad soak settings: ${issues.join("; ")}`);
  }
  const e = parsed.data;
  const chaos = e.CHAOS_MS > 0;
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    rounds: e.ROUNDS,
    workflowsPerRound: e.WF,
    processes: e.PROCS,
    worker: Object.freeze({
      instances: e.INSTANCES,
      concurrency: e.CONCURRENCY,
      maxStepsPerJob: e.STEPS,
      maxCachedWorkflows: e.CACHE,
      fetchBatchSize: e.FETCH,
      // Under chaos a killed worker's jobs must come back within a round.
      heartbeatIntervalMs: chaos ? 500 : 2000,
      staleWorkerMs: chaos ? 2000 : 10_000,
      flaky: e.FLAKY,
    }),
    chaosMs: e.CHAOS_MS,
    rollbackers: e.ROLLBACKERS,
    terminateFraction: e.TERM_FRAC,
    signalSpreadMs: e.SIG_SPREAD_MS,
    stallMs: e.STALL_MS,
    resultTimeoutMs: e.RESULT_TIMEOUT,
    timers: !e.NO_TIMERS,
  });
}
