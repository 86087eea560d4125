// What weft's database looked like when a variant failed or timed out: runs by status, the
// graphile-worker jobs left, and a few open runs in full. Generic over columns (to_jsonb), so it
// keeps working while the schema changes.
import pg from "pg";

export async function diagnoseWeft(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const runs = await client.query(
      `select workflow_type, status, count(*)::int as n from weft.workflow_runs group by 1, 2 order by 1, 2`,
    );
    const jobs = await client.query(
      `select task_identifier, count(*)::int as n,
              count(*) filter (where locked_at is not null)::int as locked,
              count(*) filter (where run_at > now())::int as delayed,
              max(attempts) as max_attempts, max(last_error) as last_error
         from graphile_worker.jobs group by 1 order by 1`,
    );
    const open = await client.query(
      `select to_jsonb(r) - 'input' as run,
              (select count(*)::int from weft.inbox i where i.run_id = r.run_id) as inbox,
              (select jsonb_object_agg(status, n) from (
                 select status, count(*)::int as n from weft.activity_executions a
                  where a.run_id = r.run_id group by status) s) as activities,
              (select count(*)::int from graphile_worker._private_jobs j where j.payload->>'r' = r.run_id::text) as jobs
         from weft.workflow_runs r where r.status = 'running' order by r.created_at limit 3`,
    );
    return [
      `runs: ${JSON.stringify(runs.rows)}`,
      `jobs left: ${JSON.stringify(jobs.rows)}`,
      ...open.rows.map((row) => `open run: ${JSON.stringify(row)}`),
    ].join("\n");
  } finally {
    await client.end();
  }
}
