// The per-workload figures of a wfbench/1 record, in the key order WORKLOADS.md lists them.
// Both peers' workloads build their metrics here, so the two can only differ in what they measured.

/** Figures of one record; W2's per_wf_ms is the one list. */
export type Metrics = Readonly<Record<string, number | readonly number[]>>;

/** Nearest-rank percentile (WORKLOADS.md W3): the value at rank ceil(p/100 * n). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

const ms = (value: number) => Math.round(value * 100) / 100;
const rate = (value: number) => Math.round(value * 10) / 10;
const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

export function w1Metrics(m: { workflows: number; steps: number; wallMs: number; startAllMs: number }): Metrics {
  return {
    n_workflows: m.workflows,
    n_steps: m.workflows * m.steps,
    wall_ms: ms(m.wallMs),
    start_all_ms: ms(m.startAllMs),
    wf_per_s: rate(m.workflows / (m.wallMs / 1000)),
    steps_per_s: rate((m.workflows * m.steps) / (m.wallMs / 1000)),
  };
}

export function w2Metrics(m: { fanout: number; perWorkflowMs: readonly number[] }): Metrics {
  const wall = m.perWorkflowMs.reduce((a, b) => a + b, 0);
  const steps = m.perWorkflowMs.length * m.fanout;
  return {
    n_workflows: m.perWorkflowMs.length,
    n_steps: steps,
    fanout: m.fanout,
    per_wf_ms: m.perWorkflowMs.map(ms),
    median_wf_ms: ms(median(m.perWorkflowMs)),
    wall_ms: ms(wall),
    steps_per_s: rate(steps / (wall / 1000)),
  };
}

export function w3Metrics(m: { latenciesMs: readonly number[]; warmup: number }): Metrics {
  const s = ascending(m.latenciesMs);
  return {
    n: s.length,
    p50_ms: ms(percentile(s, 50)),
    p95_ms: ms(percentile(s, 95)),
    p99_ms: ms(percentile(s, 99)),
    max_ms: ms(s.at(-1) ?? NaN),
    min_ms: ms(s[0] ?? NaN),
    mean_ms: ms(s.reduce((a, b) => a + b, 0) / s.length),
    warmup: m.warmup,
  };
}

export function w4Metrics(m: { latenessMs: readonly number[]; sleepMs: number; phaseOffsetMs: number }): Metrics {
  const s = ascending(m.latenessMs);
  return {
    n_workflows: s.length,
    sleep_ms: m.sleepMs,
    lateness_p50_ms: ms(percentile(s, 50)),
    lateness_p95_ms: ms(percentile(s, 95)),
    lateness_p99_ms: ms(percentile(s, 99)),
    lateness_max_ms: ms(s.at(-1) ?? NaN),
    lateness_min_ms: ms(s[0] ?? NaN),
    phase_offset_ms: ms(m.phaseOffsetMs),
  };
}

function median(values: readonly number[]): number {
  const s = ascending(values);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
