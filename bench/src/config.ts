import { z } from "zod";

export const WORKLOADS = ["W1", "W2", "W3", "W4"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Environment variables the bench reads; names and defaults are those of WORKLOADS.md.
 * Reported numbers use the defaults; smaller sizes are for smoke tests.
 */
const envSchema = z.object({
  /** Server to benchmark on (its `postgres` database is used to create bench_*); absent: embedded. */
  DATABASE_URL: z.string().min(1).optional(),
  /** Run id shared with run-peers.sh; generated from the clock when absent. */
  BENCH_RUN_ID: z.string().min(1).optional(),
  W1_WORKFLOWS: count(500),
  W1_STEPS: count(10),
  W2_FANOUT: count(200),
  W2_REPS: count(5),
  W3_N: count(200),
  W3_WARMUP: z.coerce.number().int().nonnegative().default(5),
  W4_N: count(300),
  W4_SLEEP_MS: count(2000),
  /** Per workload variant; over it the variant is reported ok:false. */
  BENCH_TIMEOUT_MS: count(60_000),
});

export interface BenchConfig {
  readonly databaseUrl: string | undefined;
  readonly runId: string;
  /** Workloads named on the command line, in canonical order; all when none is named. */
  readonly workloads: readonly WorkloadName[];
  readonly timeoutMs: number;
  /** Worker/job concurrency of both systems (WORKLOADS.md: 10 where there is such a knob). */
  readonly concurrency: number;
  /** Interval of the observer that polls for bulk completion (W1). */
  readonly completionPollMs: number;
  readonly w1: { readonly workflows: number; readonly steps: number; readonly warmup: number };
  readonly w2: { readonly fanout: number; readonly reps: number; readonly warmup: number };
  readonly w3: { readonly n: number; readonly warmup: number };
  /** graphile-worker's reference variant polls every 200 ms (PEERS.md). */
  readonly w4: { readonly n: number; readonly sleepMs: number; readonly graphilePollMs: number };
}

export function parseConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): BenchConfig {
  const e = envSchema.parse(env);
  const named = argv.map((a) => a.toUpperCase());
  const unknown = named.filter((a) => !(WORKLOADS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    throw new Error(`unknown workload ${unknown.join(", ")}; usage: pnpm bench [W1] [W2] [W3] [W4]`);
  }
  const config: BenchConfig = {
    databaseUrl: e.DATABASE_URL,
    runId: e.BENCH_RUN_ID ?? runIdFromClock(new Date()),
    workloads: WORKLOADS.filter((w) => named.length === 0 || named.includes(w)),
    timeoutMs: e.BENCH_TIMEOUT_MS,
    concurrency: 10,
    completionPollMs: 20,
    w1: { workflows: e.W1_WORKFLOWS, steps: e.W1_STEPS, warmup: 5 },
    w2: { fanout: e.W2_FANOUT, reps: e.W2_REPS, warmup: 1 },
    w3: { n: e.W3_N, warmup: e.W3_WARMUP },
    w4: { n: e.W4_N, sleepMs: e.W4_SLEEP_MS, graphilePollMs: 200 },
  };
  return deepFreeze(config);
}

/** 2026-11-24T23:36:53.123Z -> 20261124T233653Z, the format run-peers.sh uses. */
function runIdFromClock(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (child && typeof child === "object") deepFreeze(child);
  return Object.freeze(value);
}
