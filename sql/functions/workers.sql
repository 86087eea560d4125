-- weft's SQL API: worker registration, liveness, and the release of a dead worker's
-- jobs and claimed attempts (DESIGN: crash recovery).
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- Records which workflow types a namespace's task queue serves (start_workflow refuses others).
create or replace function weft.register_workflow_types(p_task_queue text, p_workflow_types text[],
    p_namespace text default 'default') returns void
language plpgsql as $$
begin
  perform weft.check_namespace(p_namespace);
  insert into weft.workflow_types (namespace, task_queue, workflow_type)
  select p_namespace, p_task_queue, t from unnest(p_workflow_types) t
  on conflict do nothing;
  -- New code may fix what failed: retry this queue's failed workflow tasks now.
  perform weft.enqueue_workflow_task(run_id, task_queue) from weft.workflow_runs
   where namespace = p_namespace and task_queue = p_task_queue and task_failure is not null and status = 'running';
end $$;

-- Heartbeats p_worker_id (re-registering it if it was presumed dead) and releases the jobs of
-- workers silent for p_stale_ms. Returns the ids of the workers it released.
create or replace function weft.heartbeat_worker(p_worker_id text, p_task_queue text, p_lock_ids text[],
    p_hostname text, p_pid int, p_stale_ms int) returns text[]
language plpgsql as $$
declare
  w weft.workers;
  v_released text[] := '{}';
begin
  insert into weft.workers (worker_id, task_queue, lock_ids, hostname, pid)
  values (p_worker_id, p_task_queue, p_lock_ids, p_hostname, p_pid)
  on conflict (worker_id) do update set heartbeat_at = now(), lock_ids = excluded.lock_ids;
  for w in select * from weft.workers
            where heartbeat_at < now() - make_interval(secs => p_stale_ms / 1000.0)
            for update skip locked loop
    perform graphile_worker.force_unlock_workers(w.lock_ids);
    perform weft.release_claims(w.worker_id, null, null);
    delete from weft.workers where worker_id = w.worker_id;
    v_released := v_released || w.worker_id;
  end loop;
  if cardinality(v_released) > 0 then
    perform pg_notify('jobs:insert', '{"count":' || 10 * cardinality(v_released) || '}');
  end if;
  return v_released;
end $$;

-- Hands the open attempts a worker claimed (all, or the one given) back to the job queue:
-- when it dies, stops, or could not finish one (the database went away mid-step).
create or replace function weft.release_claims(p_worker_id text, p_run_id uuid, p_activity_id int)
returns void
language sql as $$
  select weft.enqueue_activity_attempt(run_id, activity_id, attempt, null)
    from weft.activity_executions
   where claimed_by = p_worker_id and status in ('scheduled', 'started')
     and (p_run_id is null or (run_id = p_run_id and activity_id = p_activity_id));
$$;

-- A worker that stops: its claimed attempts go back to the job queue, and jobs still locked by
-- its graphile-worker ids (those of a job queue it replaced: worker/src/job-queue.ts) are freed.
create or replace function weft.deregister_worker(p_worker_id text) returns void
language sql as $$
  select weft.release_claims(p_worker_id, null, null);
  select graphile_worker.force_unlock_workers(lock_ids) from weft.workers where worker_id = p_worker_id;
  delete from weft.workers where worker_id = p_worker_id;
$$;

-- What a worker's metrics gauges show (worker/src/metrics.ts): the jobs of its task queue that
-- are due and unlocked, by kind, and its namespace's runs not yet closed. Read at each scrape.
create or replace function weft.worker_gauges(p_task_queue text, p_namespace text default 'default') returns jsonb
language sql stable as $$
  with ready as (
    select t.identifier, count(*) as n
      from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier in (weft.task_identifier('workflow', p_namespace, p_task_queue),
                            weft.task_identifier('activity', p_namespace, p_task_queue))
       and j.locked_at is null and j.run_at <= now() and j.attempts < j.max_attempts
     group by t.identifier
  )
  select jsonb_build_object(
    'readyJobs', jsonb_build_object(
      'workflowTask', coalesce((select n from ready where identifier = weft.task_identifier('workflow', p_namespace, p_task_queue)), 0),
      'activity', coalesce((select n from ready where identifier = weft.task_identifier('activity', p_namespace, p_task_queue)), 0)),
    'openRuns', (select count(*) from weft.workflow_runs where namespace = p_namespace and status = 'running'))
$$;
