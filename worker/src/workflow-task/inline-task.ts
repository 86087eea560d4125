import { isInfrastructureError } from "@weft/sdk/internal";
import type pg from "pg";
import type { WorkerDeps } from "../deps.js";
import { inTransaction, type Db, type Delivered, type Inline } from "../sql-api.js";
import { replayAndComplete, type CommittedTask } from "./replay-and-complete.js";

/** A call of a weft function that delivers an event to a run: weft.complete_activity, weft.fire_timer. */
export type Deliver = (db: Db, inline: Inline | null) => Promise<Delivered>;

/**
 * Delivers an event to a run. When the run's lock was free, the answer is a workflow task
 * claimed with the event in it, which is replayed and completed in the same transaction: one
 * commit instead of a commit plus a task job. Null when no task ran here.
 */
export async function deliverInline(
  deps: WorkerDeps,
  runId: string,
  mayClaim: boolean,
  deliver: Deliver,
): Promise<CommittedTask | null> {
  try {
    return await inTransaction(deps.pool, (tx) => deliverInlineIn(tx, deps, runId, mayClaim, deliver));
  } catch (error) {
    if (isInfrastructureError(error)) throw error;
    // The workflow task failed (its code, not the database): deliver alone; the queued task
    // meets the same error and records it on the run.
    await deliver(deps.pool, null);
    return null;
  }
}

/** deliverInline in the caller's transaction (a batch of timers shares one). */
export async function deliverInlineIn(
  tx: pg.ClientBase,
  deps: WorkerDeps,
  runId: string,
  mayClaim: boolean,
  deliver: Deliver,
): Promise<CommittedTask | null> {
  const cached = deps.cache.take(runId);
  const inline = deps.inlineTasks ? { namespace: deps.namespace, queue: deps.taskQueue, afterEventId: cached?.lastEventId ?? 0 } : null;
  const answer = await deliver(tx, inline);
  if (!("claim" in answer)) {
    if (cached) deps.cache.put(runId, cached);
    return null;
  }
  return replayAndComplete(tx, deps, runId, answer.claim, cached, mayClaim);
}
