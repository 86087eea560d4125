import type pg from "pg";
import { mapDatabaseError } from "../errors.js";

export interface StartRequest {
  workflowType: string;
  /** JSON text of the arguments array, already validated (payload.ts). */
  argsJson: string;
  workflowId: string | null;
  taskQueue: string;
}

type Answer = { runId: string } | { error: { code: string; message: string; hint: string | null } };

const MAX_BATCH = 200;

/**
 * Sends the start calls made in the same turn of the event loop as one weft.start_workflows
 * call: one transaction and one commit for many starts. Each start still succeeds or fails on
 * its own.
 */
export class StartBatcher {
  private pending: { request: StartRequest; resolve: (runId: string) => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly pool: pg.Pool) {}

  start(request: StartRequest): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flush());
      this.pending.push({ request, resolve, reject });
    });
  }

  private flush(): void {
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) void this.send(all.slice(i, i + MAX_BATCH));
  }

  private async send(batch: typeof this.pending): Promise<void> {
    const starts = batch.map(({ request: r }) => ({
      workflowType: r.workflowType,
      workflowId: r.workflowId,
      taskQueue: r.taskQueue,
    }));
    // Arguments are spliced in as already-encoded JSON text rather than parsed and re-encoded.
    const json = `[${starts.map((s, i) => JSON.stringify(s).slice(0, -1) + `,"args":${batch[i]!.request.argsJson}}`).join(",")}]`;
    try {
      const { rows } = await this.pool.query<{ answers: Answer[] }>("select weft.start_workflows($1::jsonb) as answers", [json]);
      rows[0]!.answers.forEach((answer, i) => {
        const { resolve, reject } = batch[i]!;
        if ("runId" in answer) resolve(answer.runId);
        else reject(mapDatabaseError(answer.error));
      });
    } catch (error) {
      const mapped = mapDatabaseError(error);
      for (const { reject } of batch) reject(mapped);
    }
  }
}
