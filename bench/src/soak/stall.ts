// A round's liveness limit: its open workflows count as stuck once none of its runs has moved
// for STALL_MS (config.ts), however slowly the machine works through the round.
import type pg from "pg";
import { sleep } from "../observer.js";

const POLL_MS = 1000;

/**
 * What changes whenever one of the runs (or a child of one) moves: an event appended, one
 * queued in an inbox or taken from it, a run closed. An activity completion does one of these.
 */
const PROGRESS = `
  with runs as (select run_id, next_event_id, status from weft.workflow_runs
                 where run_id = any($1::uuid[]) or parent_run_id = any($1::uuid[]))
  select (select coalesce(sum(next_event_id), 0) from runs)::text || '/' ||
         (select count(*) from runs where status <> 'running') || '/' ||
         (select count(*) from weft.inbox where run_id in (select run_id from runs)) as progress`;

/**
 * Resolves with the stall in ms once the runs have not moved for `stallMs`, or with null when
 * `done` aborts first. A query that fails (a connection cut) counts as no news, not as a stall.
 */
export async function stalled(pool: pg.Pool, runIds: readonly string[], stallMs: number, done: AbortSignal): Promise<number | null> {
  let last: string | undefined;
  let movedAt = Date.now();
  for (;;) {
    try {
      await sleep(POLL_MS, done);
    } catch {
      return null;
    }
    const now = Date.now();
    const progress = await pool.query<{ progress: string }>(PROGRESS, [runIds]).then(
      (r) => r.rows[0]!.progress,
      () => last,
    );
    if (progress !== last) {
      last = progress;
      movedAt = now;
    } else if (now - movedAt >= stallMs) {
      return now - movedAt;
    }
  }
}
