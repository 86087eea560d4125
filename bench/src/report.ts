// The closing stderr table: each workload's key figures for both peers, their ratio, and
// the transactions per step each peer committed.
import type { WorkloadName } from "./config.js";
import type { BenchRecord } from "./record.js";

const FIGURES: Record<WorkloadName, readonly { key: string; label: string; better: "higher" | "lower" }[]> = {
  W1: [{ key: "steps_per_s", label: "steps/s", better: "higher" }],
  W2: [{ key: "median_wf_ms", label: "median ms / workflow", better: "lower" }],
  W3: [
    { key: "p50_ms", label: "p50 ms", better: "lower" },
    { key: "p99_ms", label: "p99 ms", better: "lower" },
  ],
  W4: [
    { key: "lateness_p50_ms", label: "lateness p50 ms", better: "lower" },
    { key: "lateness_p99_ms", label: "lateness p99 ms", better: "lower" },
  ],
};

export function renderTable(records: readonly BenchRecord[], workloads: readonly WorkloadName[]): string {
  const header = ["workload", "figure", "weft", "graphile-worker", "weft / gw", "xact/step weft", "xact/step gw"];
  const rows: string[][] = [];
  for (const workload of workloads) {
    const gw = pick(records, workload, "graphile-worker");
    const wefts = records.filter((r) => r.workload === workload && r.peer === "weft");
    // Every weft variant gets its rows, each against the reference's first ok variant.
    for (const weft of wefts.length > 0 ? wefts : [undefined]) FIGURES[workload].forEach((figure, i) => {
      const a = value(weft, figure.key);
      const b = value(gw, figure.key);
      rows.push([
        i === 0 ? `${workload} weft ${weft?.variant ?? "-"} / gw ${gw?.variant ?? "-"}` : "",
        `${figure.label} (${figure.better} is better)`,
        show(weft, a),
        show(gw, b),
        a !== undefined && b !== undefined && b !== 0 ? `${(a / b).toFixed(2)}x` : "-",
        i === 0 ? show(weft, value(weft, "xact_per_step")) : "",
        i === 0 ? show(gw, value(gw, "xact_per_step")) : "",
      ]);
    });
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The first ok variant of the peer, else its first record (to show the failure). */
function pick(records: readonly BenchRecord[], workload: WorkloadName, peer: string): BenchRecord | undefined {
  const mine = records.filter((r) => r.workload === workload && r.peer === peer);
  return mine.find((r) => r.ok) ?? mine[0];
}

function value(record: BenchRecord | undefined, key: string): number | undefined {
  const v = record?.ok ? record[key] : undefined;
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function show(record: BenchRecord | undefined, v: number | undefined): string {
  if (!record) return "not run";
  if (!record.ok) return "FAILED";
  return v === undefined ? "-" : String(v);
}
