// @weft/sdk/testing: helpers for the tests of an application's workflows, not for production.
import { toMs } from "./wire.js";
import { parseHistory } from "./history.js";
import { replay } from "./replayer/replay.js";
import { workflowDefinition, type WorkflowClass } from "./workflow/definition.js";

/**
 * Replays a run's history (`Client.history`, or saved JSON) through today's code of `workflow`,
 * without a database: a change that would break runs in flight throws NonDeterminismError here.
 */
export function replayHistory(workflow: WorkflowClass, history: unknown, options: { runId?: string } = {}): { finished: boolean } {
  // History does not hold the run id; code that reads ctx.info.runId sees this one.
  const runId = options.runId ?? "00000000-0000-0000-0000-000000000000";
  const { finished } = replay(workflowDefinition(workflow), parseHistory(history), { runId, lastTaskIsNew: false });
  return { finished };
}

/** What advanceClock runs its query on: a pg.Pool, a pg.Client or a pool's client. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/**
 * Moves weft's clock (`weft.now()`, the database time timers and timeouts count in) forward by
 * `seconds`, and weft's pending jobs with it, so a test of a long timer need not wait for it.
 * For test databases only: it moves time for every run in the database.
 */
export async function advanceClock(db: Queryable, seconds: number): Promise<void> {
  if (!(seconds >= 0) || !Number.isFinite(seconds)) throw new RangeError(`seconds must be a finite number >= 0, got ${seconds}`);
  await db.query("select weft.advance_clock($1)", [toMs(seconds)]);
}
