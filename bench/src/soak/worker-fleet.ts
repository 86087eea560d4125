import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SoakWorkerOptions } from "./config.js";
import { STOP, type WorkerMessage, type WorkerReport } from "./messages.js";

const WORKER_PROCESS = fileURLToPath(new URL("./worker-process.js", import.meta.url));

interface Slot {
  readonly child: ChildProcess;
  /** The process's latest (cumulative) report. */
  report: WorkerReport;
  /** Killed or stopped by the fleet, so its exit is expected. */
  ending: boolean;
}

/**
 * The worker processes, one per slot. A killed process is replaced in its slot; one that exits
 * on its own is a failure (`unexpectedExits`) and is replaced too, so the rounds go on.
 */
export class WorkerFleet {
  private readonly slots: Slot[] = [];
  private readonly logCounts = new Map<string, number>();
  private flakeTotal = 0;
  kills = 0;
  readonly unexpectedExits: string[] = [];

  private constructor(
    private readonly databaseUrl: string,
    private readonly options: SoakWorkerOptions,
  ) {
    // However the driver ends, it leaves no worker behind.
    process.on("exit", () => {
      for (const slot of this.slots) slot.child.kill("SIGKILL");
    });
  }

  static async start(databaseUrl: string, options: SoakWorkerOptions, processes: number): Promise<WorkerFleet> {
    const fleet = new WorkerFleet(databaseUrl, options);
    await Promise.all(Array.from({ length: processes }, (_, i) => fleet.spawn(i)));
    return fleet;
  }

  get size(): number {
    return this.slots.length;
  }

  /** kill -9 the process in `slot` and wait for its replacement to be ready. */
  async kill(slot: number): Promise<void> {
    const victim = this.slots[slot]!;
    victim.ending = true;
    victim.child.kill("SIGKILL");
    this.kills++;
    this.harvest(victim);
    await this.spawn(slot);
  }

  /** Shuts every process down and waits for their last reports. */
  async stop(): Promise<void> {
    await Promise.all(
      this.slots.map((slot) => {
        slot.ending = true;
        const exited = new Promise<void>((resolve) => slot.child.once("exit", () => resolve()));
        if (slot.child.exitCode === null && slot.child.signalCode === null) slot.child.send(STOP);
        return exited.then(() => this.harvest(slot));
      }),
    );
  }

  get flakes(): number {
    return this.flakeTotal;
  }

  /** The most frequent warnings and errors the Workers logged, most frequent first. */
  topLogCounts(n: number): [string, number][] {
    return [...this.logCounts].sort((a, b) => b[1] - a[1]).slice(0, n);
  }

  private spawn(index: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = fork(WORKER_PROCESS, [this.databaseUrl, JSON.stringify(this.options)]);
      const slot: Slot = { child, report: { logCounts: {}, flakes: 0 }, ending: false };
      this.slots[index] = slot;
      let ready = false;
      child.on("message", (message: WorkerMessage) => {
        if (message.kind === "report") slot.report = message.report;
        else if (!ready) {
          ready = true;
          resolve();
        }
      });
      child.once("exit", (code, signal) => {
        if (slot.ending) return;
        const how = `worker process ${child.pid} exited on its own (${signal ?? `code ${code}`})`;
        // One that never got ready would fail again: give up rather than fork in a loop.
        if (!ready) return reject(new Error(how));
        this.unexpectedExits.push(how);
        this.harvest(slot);
        this.spawn(index).catch((error: Error) => this.unexpectedExits.push(`replacement failed: ${error.message}`));
      });
    });
  }

  private harvest(slot: Slot): void {
    for (const [key, n] of Object.entries(slot.report.logCounts)) this.logCounts.set(key, (this.logCounts.get(key) ?? 0) + n);
    this.flakeTotal += slot.report.flakes;
    slot.report = { logCounts: {}, flakes: 0 };
  }
}
