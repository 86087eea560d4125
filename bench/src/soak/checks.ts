// The invariants checked after each round, on the results and on the protocol's tables. Each
// failure is a line in `problems`; `notes` are for reading (leftover jobs, their errors).
import type pg from "pg";
import { TerminatedFailure, WorkflowFailedError } from "@weft/sdk";
import type { RoundLoad } from "./round.js";
import { expectedResult } from "./workflows.js";

export interface RoundCheck {
  readonly ok: number;
  readonly terminated: number;
  readonly bad: number;
  /** Workflows with no result in time (not closed). */
  readonly stuck: number;
  /** Distinct workflow tasks in the round's histories. */
  readonly workflowTasks: number;
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

/** SQL: a workflow-task job for the run in `runId` that graphile-worker will still run. */
const liveWorkflowJob = (runId: string) => `exists (
  select 1 from graphile_worker._private_jobs pj join graphile_worker._private_tasks pt on pt.id = pj.task_id
   where pt.identifier like 'weft/workflow/%' and pj.payload->>'r' = ${runId}::text and pj.attempts < pj.max_attempts)`;

export async function checkRound(pool: pg.Pool, load: RoundLoad): Promise<RoundCheck> {
  const q = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await pool.query<R>(text, values)).rows;
  const problems = load.signalFailures.map((f) => `round ${load.round}: ${f}`);
  const notes: string[] = [];
  const problem = (line: string) => problems.push(`round ${load.round}: ${line}`);

  // Every workflow not terminated returned exactly what its spec implies.
  let ok = 0;
  let terminated = 0;
  const unclosed: number[] = [];
  load.outcomes.forEach((outcome, i) => {
    const expected = expectedResult(load.specs[i]!);
    const id = load.handles[i]!.workflowId;
    if (outcome.ok) {
      if (sameResult(outcome.value, expected)) ok++;
      else problem(`${id} returned ${JSON.stringify(outcome.value)}, expected ${JSON.stringify(expected)}`);
    } else if (load.terminated.has(i) && outcome.error instanceof WorkflowFailedError && outcome.error.cause instanceof TerminatedFailure) {
      terminated++;
    } else {
      if (!(outcome.error instanceof WorkflowFailedError)) unclosed.push(i);
      problem(`${id}: ${outcome.error.message}`);
    }
  });

  // Let in-flight work (a last workflow task, job deletions) settle before reading the tables.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const runIds = load.handles.map((h) => h.runId);

  // A running run with inbox rows has a workflow task coming: a request with a live job.
  const stranded = await q<{ workflow_id: string; run_id: string; n: number }>(
    `select r.workflow_id, q.run_id, count(*)::int as n
       from weft.inbox q join weft.workflow_runs r using (run_id)
      where r.status = 'running' and not exists (
        select 1 from weft.task_requests t where t.run_id = q.run_id and ${liveWorkflowJob("t.run_id")})
      group by 1, 2`,
  );
  if (stranded.length > 0) problem(`${stranded.length} running runs with inbox rows and no request/job: ${JSON.stringify(stranded.slice(0, 3))}`);

  // A task request always has a job to serve it.
  const orphans = await q<{ run_id: string; status: string | null }>(
    `select q.run_id, r.status from weft.task_requests q left join weft.workflow_runs r using (run_id)
      where not ${liveWorkflowJob("q.run_id")}`,
  );
  if (orphans.length > 0) problem(`${orphans.length} task_requests rows without a live job: ${JSON.stringify(orphans.slice(0, 3))}`);

  // An activity completes once in history, whatever was retried or killed.
  const duplicates = await q<{ run_id: string; activity_id: string; n: number }>(
    `select run_id, attributes->>'activityId' as activity_id, count(*)::int as n from weft.history_events
      where run_id = any($1) and type = 'ActivityCompleted' group by 1, 2 having count(*) > 1`,
    [runIds],
  );
  if (duplicates.length > 0) problem(`${duplicates.length} duplicate ActivityCompleted: ${JSON.stringify(duplicates.slice(0, 3))}`);

  // A completed run received exactly the signals sent (none of the rolled-back ones).
  const signalCounts = await q<{ workflow_id: string; n: number }>(
    `select r.workflow_id, count(e.*) filter (where e.type = 'SignalReceived')::int as n
       from weft.workflow_runs r left join weft.history_events e using (run_id)
      where r.run_id = any($1) and r.status = 'completed' group by r.workflow_id`,
    [runIds],
  );
  const sent = new Map(load.handles.map((h, i) => [h.workflowId, load.specs[i]!.nsig]));
  const miscounted = signalCounts.filter((r) => r.n !== sent.get(r.workflow_id));
  if (miscounted.length > 0) {
    const shown = miscounted.slice(0, 3).map((r) => `${r.workflow_id} got ${r.n}, sent ${sent.get(r.workflow_id)}`);
    problem(`${miscounted.length} completed runs with the wrong signal count: ${shown.join("; ")}`);
  }

  const [tasks] = await q<{ n: number }>(
    "select count(distinct (run_id, task))::int as n from weft.history_events where run_id = any($1)",
    [runIds],
  );
  if (load.terminateErrors.length > 0) notes.push(`terminate calls refused (run closed first): ${load.terminateErrors.length}`);
  notes.push(...(await leftovers(q)));
  for (const i of unclosed.slice(0, 3)) notes.push(await diagnose(q, load.handles[i]!.runId, load.handles[i]!.workflowId));
  return {
    ok,
    terminated,
    bad: load.outcomes.length - ok - terminated,
    stuck: unclosed.length,
    workflowTasks: tasks?.n ?? 0,
    problems,
    notes,
  };
}

/** Field by field: the result went through jsonb, which does not keep key order. */
function sameResult(value: unknown, expected: object): boolean {
  if (typeof value !== "object" || value === null) return false;
  const entries = Object.entries(expected);
  return Object.keys(value).length === entries.length && entries.every(([k, v]) => (value as Record<string, unknown>)[k] === v);
}

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

/** Inbox rows of closed runs and graphile-worker jobs still queued: worth a look, not failures. */
async function leftovers(q: Query): Promise<string[]> {
  const notes: string[] = [];
  const closedInbox = await q(
    `select r.status, count(distinct r.run_id)::int as runs, count(*)::int as n
       from weft.inbox q join weft.workflow_runs r using (run_id) where r.status <> 'running' group by 1`,
  );
  if (closedInbox.length > 0) notes.push(`inbox rows of closed runs: ${JSON.stringify(closedInbox)}`);
  const jobs = await q(
    `select task_identifier, count(*)::int as n, count(*) filter (where last_error is not null)::int as errored,
            count(*) filter (where locked_at is not null)::int as locked
       from graphile_worker.jobs group by 1`,
  );
  if (jobs.length > 0) notes.push(`jobs left: ${JSON.stringify(jobs)}`);
  const errors = await q(
    `select left(regexp_replace(last_error, '[0-9a-f-]{36}', '<id>', 'g'), 120) as error, count(*)::int as n
       from graphile_worker.jobs where last_error is not null group by 1 order by 2 desc limit 5`,
  );
  if (errors.length > 0) notes.push(`job errors: ${JSON.stringify(errors)}`);
  return notes;
}

/** Where a run without a result stands: its task state, inbox, request, jobs, activities, timers. */
async function diagnose(q: Query, runId: string, workflowId: string): Promise<string> {
  const [row] = await q(
    `select r.status, r.last_task, r.task_failures, r.task_failure->>'message' as task_failure,
            (select count(*) from weft.inbox where run_id = r.run_id)::int as inbox,
            (select count(*) from weft.task_requests where run_id = r.run_id)::int as requests,
            (select json_agg(json_build_object('id', j.id, 'attempts', j.attempts, 'run_at', j.run_at,
                                               'locked', j.locked_at, 'error', left(j.last_error, 80)))
               from graphile_worker._private_jobs j where j.payload->>'r' = r.run_id::text) as jobs,
            (select count(*) from weft.activity_executions
              where run_id = r.run_id and status in ('scheduled', 'started'))::int as open_activities,
            (select count(*) from weft.timers where run_id = r.run_id)::int as timers
       from weft.workflow_runs r where r.run_id = $1`,
    [runId],
  );
  return `no result from ${workflowId} (run ${runId}): ${JSON.stringify(row)}`;
}
