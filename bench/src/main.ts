// `pnpm bench [W1] [W2] [W3] [W4]`: WORKLOADS.md W1-W4 on weft and, in the same run and on
// the same server, on raw graphile-worker jobs as the reference. wfbench/1 records go to
// stdout, progress and the closing table to stderr.
import os from "node:os";
import { parseConfig, type BenchConfig } from "./config.js";
import { describeFailure, Server } from "./database.js";
import { Progress } from "./progress.js";
import { emit, failedRecord, type BenchRecord } from "./record.js";
import { renderTable } from "./report.js";
import { runVariant } from "./run-variant.js";
import { graphilePeer } from "./workloads/graphile.js";
import type { Peer } from "./workloads/types.js";
import { weftPeer } from "./workloads/weft.js";

async function main(): Promise<number> {
  const config = parseConfig(process.env, process.argv.slice(2));
  const progress = new Progress();
  const host = { cpus: os.availableParallelism(), node: process.version };
  progress.log(`wfbench run ${config.runId}: ${config.workloads.join(" ")}; ${describeSizes(config)}`);

  const server = await Server.open(config.databaseUrl, (line) => progress.log(line));
  // The reference runs first in each workload; each peer's database is created right before
  // its first workload, so both are fresh and the two peers alternate under the same load.
  const peers = [await graphilePeer(), await weftPeer()];
  const databases = new Map<Peer, Promise<string>>();
  const records: BenchRecord[] = [];
  try {
    for (const workload of config.workloads) {
      for (const peer of peers) {
        if (!databases.has(peer)) databases.set(peer, prepare(server, peer, progress));
        const context = { runId: config.runId, peer: peer.name, peerVersion: peer.version, host };
        for (const variant of peer.variants(workload)) {
          const url = await databases.get(peer)!.catch((error: Error) => error);
          const record =
            url instanceof Error
              ? failedRecord(context, variant, `database setup failed: ${url.message}`, variant.config)
              : await runVariant(server, peer, url, variant, config, progress, context);
          emit(record);
          records.push(record);
        }
      }
    }
  } finally {
    await server.close();
  }
  progress.log(`\n${renderTable(records, config.workloads)}`);
  progress.log(
    "xact/step: pg_stat_database.xact_commit delta of the peer's database over the variant (startup, warm-up, run,\n" +
      "shutdown), minus the bench observer's statements and its LISTEN connections' NOTIFY wake-ups (PostgreSQL wakes\n" +
      "every listener of a database on every NOTIFY, each reading the queue in a transaction), divided by the steps run\n" +
      "(warm-up included). W1 has no observer listener on either peer, so it is the cleanest.",
  );
  return records.every((r) => r.ok) ? 0 : 1;
}

async function prepare(server: Server, peer: Peer, progress: Progress): Promise<string> {
  progress.log(`creating ${peer.database} for ${peer.name} ${peer.version}`);
  const url = await server.createFresh(peer.database);
  await peer.prepare(url);
  await server.checkpoint();
  return url;
}

function describeSizes(c: BenchConfig): string {
  return (
    `W1 ${c.w1.workflows}x${c.w1.steps} steps, W2 fanout ${c.w2.fanout}x${c.w2.reps}, W3 ${c.w3.n}+${c.w3.warmup} warm-up, ` +
    `W4 ${c.w4.n}x${c.w4.sleepMs} ms; concurrency ${c.concurrency}; timeout ${c.timeoutMs} ms per variant`
  );
}

main().then(
  async (code) => {
    await new Promise((resolve) => process.stdout.write("", resolve));
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${describeFailure(error)}\n`);
    process.exit(2);
  },
);
