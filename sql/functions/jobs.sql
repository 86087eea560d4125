-- weft's SQL API: the graphile-worker jobs weft enqueues. Their names and payloads
-- are read by worker/src/jobs.ts; worker/test/contract.test.ts checks the two agree.
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- graphile-worker notices delayed jobs only when it polls; this tells weft workers when one
-- comes due so they fetch it on time (worker/src/wake-ups.ts).
create or replace function weft.wake_at(p_run_at timestamptz) returns void
language sql as $$
  select pg_notify('weft_wake', (extract(epoch from p_run_at) * 1000)::bigint::text)
   where p_run_at > now();
$$;

-- A workflow task job is retried (at most every few hours, graphile-worker's backoff cap)
-- until the database lets it finish: a job that gave up would leave its request row, and so
-- the run, waiting forever.
create or replace function weft.workflow_task_max_attempts() returns smallint
language sql immutable as $$ select 32767::smallint $$;

-- The graphile-worker task a job of kind 'workflow' or 'activity' runs under: the task queue's
-- (worker/src/jobs.ts taskIdentifiers). Namespace default keeps the names of weft 0.1, so jobs
-- queued before the upgrade still run; a namespace name holds no '/', so none collide.
create or replace function weft.task_identifier(p_kind text, p_namespace text, p_task_queue text) returns text
language sql immutable as $$
  select case when p_namespace = 'default' then 'weft/' || p_kind || '/' || p_task_queue
              else 'weft/ns/' || p_namespace || '/' || p_kind || '/' || p_task_queue end
$$;

create or replace function weft.enqueue_workflow_task(p_run_id uuid, p_task_queue text,
    p_run_at timestamptz default null) returns void
language sql as $$
  select graphile_worker.add_job(
    weft.task_identifier('workflow', (select namespace from weft.workflow_runs where run_id = p_run_id), p_task_queue),
    json_build_object('r', p_run_id), run_at => p_run_at,
    max_attempts => weft.workflow_task_max_attempts());
  select weft.wake_at(p_run_at);
$$;

-- The job payload of an attempt (worker/src/jobs.ts activityJob).
create or replace function weft.activity_job(a weft.activity_executions, p_attempt int) returns json
language sql stable as $$
  select json_build_object(
    'r', a.run_id, 'a', a.activity_id, 'n', p_attempt, 't', a.activity_type, 'args', a.input,
    'stc', a.start_to_close_ms, 'hb', a.heartbeat_ms,
    'track', (a.start_to_close_ms is not null or a.heartbeat_ms is not null
              or a.schedule_to_start_ms is not null),
    'hd', a.heartbeat_details);
$$;

create or replace function weft.enqueue_activity_attempt(p_run_id uuid, p_activity_id int, p_attempt int,
    p_run_at timestamptz) returns void
language plpgsql as $$
declare
  a weft.activity_executions;
begin
  update weft.activity_executions set claimed_by = null
   where run_id = p_run_id and activity_id = p_activity_id
  returning * into a;
  perform graphile_worker.add_job(
    weft.task_identifier('activity', (select namespace from weft.workflow_runs where run_id = p_run_id), a.queue),
    weft.activity_job(a, p_attempt),
    run_at => p_run_at, max_attempts => 25);
  perform weft.wake_at(p_run_at);
end $$;

create or replace function weft.enqueue_activity_timeout(p_run_id uuid, p_activity_id int, p_attempt int,
    p_kind text, p_after_ms bigint) returns void
language sql as $$
  select graphile_worker.add_job('weft/timeout',
    json_build_object('r', p_run_id, 'a', p_activity_id, 'n', p_attempt, 'k', p_kind),
    run_at => now() + make_interval(secs => p_after_ms / 1000.0),
    job_key => case when p_kind = 'heartbeat'
                    then 'weft/hb/' || p_run_id || '/' || p_activity_id end);
  select weft.wake_at(now() + make_interval(secs => p_after_ms / 1000.0));
$$;

-- The 'weft/run-timeout' job for a run's deadline (database time; the job runs on the real clock).
create or replace function weft.enqueue_run_timeout(p_run_id uuid, p_deadline timestamptz) returns void
language sql as $$
  select graphile_worker.add_job('weft/run-timeout', json_build_object('r', p_run_id),
    run_at => p_deadline - (weft.now() - now()), max_attempts => 25);
  select weft.wake_at(p_deadline - (weft.now() - now()));
$$;
