import type { WorkflowMachine } from "@weft/sdk/internal";

export interface CachedWorkflow {
  readonly machine: WorkflowMachine;
  /** The last history event the machine has applied; always the end of a workflow task. */
  readonly lastEventId: number;
}

/**
 * Live workflows of recently run tasks, least recently used first out. A task takes its run's
 * entry out while it works and puts it back only after its transaction commits, so a failed
 * or rolled-back task never leaves a machine that is ahead of the database.
 */
export class WorkflowCache {
  private readonly entries = new Map<string, CachedWorkflow>();

  constructor(private readonly capacity: number) {}

  take(runId: string): CachedWorkflow | undefined {
    const entry = this.entries.get(runId);
    this.entries.delete(runId);
    return entry;
  }

  put(runId: string, entry: CachedWorkflow): void {
    if (this.capacity === 0) return;
    this.entries.delete(runId);
    this.entries.set(runId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
