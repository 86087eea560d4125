// W1-W4 shaped as raw graphile-worker jobs (WORKLOADS.md "Job queues"), and the schema they
// need in bench_gw. A step is one job; the results are checked in memory, in this process.
import type { TaskList } from "graphile-worker";

export const tasks = {
  w1Step: "bench_w1_step",
  w2Parent: "bench_w2_parent",
  w2Child: "bench_w2_child",
  w2Join: "bench_w2_join",
  w3Job: "bench_w3_job",
  w4Job: "bench_w4_job",
} as const;

/** Channel of the NOTIFY sent when a watched job is deleted, i.e. completed; payload: its `r`. */
export const DONE_CHANNEL = "bench_job_done";

/**
 * The fan-in counter, and an AFTER DELETE trigger on graphile-worker's job table that
 * notifies only for the jobs whose completion marks a workflow's end (W2 join, W3, W4).
 * The task rows are created here so the trigger can name their ids.
 */
export const benchSchema = `
create table bench_fanin (rep text primary key, remaining int not null, total bigint not null);

create function bench_job_done() returns trigger language plpgsql as $$
begin
  perform pg_notify('${DONE_CHANNEL}', old.payload->>'r');
  return null;
end $$;

insert into graphile_worker._private_tasks (identifier)
values ('${tasks.w2Join}'), ('${tasks.w3Job}'), ('${tasks.w4Job}') on conflict do nothing;

do $$
declare
  ids int[];
begin
  select array_agg(id) into ids from graphile_worker._private_tasks
   where identifier in ('${tasks.w2Join}', '${tasks.w3Job}', '${tasks.w4Job}');
  execute format('create trigger bench_job_done after delete on graphile_worker._private_jobs
                  for each row when (old.task_id = any (%L::int[])) execute function bench_job_done()', ids);
end $$;
`;

/** What the jobs computed, for checking once the workload completed. */
export class Tally {
  /** W1: chains whose last job ran, and those that did not end with `steps`. */
  w1Finished = 0;
  readonly w1Wrong: number[] = [];
  /** W2: the total each join job saw, by workflow. */
  readonly w2Totals = new Map<string, number>();
}

interface W1Step { s: number; i: number; x: number }
interface W2Parent { r: string; f: number }
interface W2Child { r: string; v: number }
interface W2Join { r: string; total: string | number }

export function taskList(tally: Tally): TaskList {
  return {
    // Job i enqueues job i+1 through helpers.addJob: its own transaction, committed before
    // graphile-worker deletes job i, so the chain is not atomic (a crash between would rerun i).
    [tasks.w1Step]: async (payload, helpers) => {
      const { s, i, x } = payload as W1Step;
      const y = x + 1;
      if (i + 1 < s) {
        await helpers.addJob(tasks.w1Step, { s, i: i + 1, x: y });
      } else {
        tally.w1Finished++;
        if (y !== s) tally.w1Wrong.push(y);
      }
    },
    // The counter row and the children commit together, in one statement.
    [tasks.w2Parent]: async (payload, helpers) => {
      const { r, f } = payload as W2Parent;
      await helpers.withPgClient((client) =>
        client.query(
          `with counter as (insert into bench_fanin (rep, remaining, total) values ($1, $2, 0))
           select count(*) from graphile_worker.add_jobs(array(
             select row('${tasks.w2Child}', json_build_object('r', $1::text, 'v', i), null, null, null, null, null, null)
                    ::graphile_worker.job_spec
               from generate_series(0, $2 - 1) i))`,
          [r, f],
        ),
      );
    },
    // Decrement and, at zero, enqueue the join: one statement, so atomic with each other, but
    // not with this job's completion (graphile-worker deletes the job in a later transaction).
    [tasks.w2Child]: async (payload, helpers) => {
      const { r, v } = payload as W2Child;
      await helpers.withPgClient((client) =>
        client.query(
          `with c as (update bench_fanin set remaining = remaining - 1, total = total + $2
                       where rep = $1 returning remaining, total)
           select graphile_worker.add_job('${tasks.w2Join}', json_build_object('r', $1::text, 'total', c.total))
             from c where c.remaining = 0`,
          [r, v + 1],
        ),
      );
    },
    [tasks.w2Join]: (payload) => {
      const { r, total } = payload as W2Join;
      tally.w2Totals.set(r, Number(total));
    },
    // The no-op step; a job has nowhere to put its result, so it is dropped.
    [tasks.w3Job]: (payload) => {
      void ((payload as { n: number }).n + 1);
    },
    [tasks.w4Job]: () => {},
  };
}
