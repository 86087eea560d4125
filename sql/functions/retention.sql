-- weft's SQL API: retention. A namespace with retention_days keeps a closed run (its history,
-- inbox, activities and timers) that long after it closed, then workers delete it
-- (worker/src/retention.ts). Open runs are never deleted, whatever their age.
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- Deletes at most p_limit expired runs, oldest closed first, skipping any another worker is
-- deleting; returns how many it deleted.
create or replace function weft.delete_expired_runs(p_limit int default 500) returns int
language plpgsql as $$
declare
  v_runs uuid[];
begin
  select array_agg(run_id) into v_runs from (
    select w.run_id from weft.workflow_runs w
     where w.run_id in (
       select r.run_id
         from weft.namespaces n
         join lateral (
           select run_id from weft.workflow_runs
            where namespace = n.name and status <> 'running'
              and closed_at < weft.now() - make_interval(days => n.retention_days)
            order by closed_at limit p_limit
         ) r on true
        where n.retention_days is not null
        limit p_limit)
     -- Locked so that two workers never delete one run's rows at once.
     for update of w skip locked
  ) expired;
  if v_runs is null then
    return 0;
  end if;
  delete from weft.history_events where run_id = any (v_runs);
  delete from weft.inbox where run_id = any (v_runs);
  delete from weft.activity_executions where run_id = any (v_runs);
  delete from weft.timers where run_id = any (v_runs);
  delete from weft.task_requests where run_id = any (v_runs);
  delete from weft.workflow_runs where run_id = any (v_runs);
  return cardinality(v_runs);
end $$;
