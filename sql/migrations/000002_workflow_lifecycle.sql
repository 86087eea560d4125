-- The rest of the seed's commands and the lifecycle they need: child workflows (with retry
-- policies, run and execution timeouts, parent close policies), continue-as-new, version
-- markers, search attributes, and termination; and inbox wake-ups that do not wait for the
-- run's lock (task_requests). New functions and the ones they change; the rest of 000001
-- stands. Error codes as in 000001 (WF003 also covers bad start options).

alter table weft.workflow_runs drop constraint workflow_runs_status_check;
alter table weft.workflow_runs add constraint workflow_runs_status_check
  check (status in ('running', 'completed', 'failed', 'continued_as_new', 'terminated', 'timed_out'));

alter table weft.workflow_runs
  -- 1, 2, ...: the run's place in its retry policy's attempts.
  add column attempt int not null default 1,
  add column retry_policy jsonb,
  add column parent_run_id uuid,
  add column parent_workflow_id text,
  add column parent_child_id int,
  add column parent_close_policy text check (parent_close_policy in ('terminate', 'abandon')),
  add column continued_from_run_id uuid,
  -- The run that carries on this workflow id: continue-as-new, or a retry after a failure.
  add column next_run_id uuid,
  add column run_timeout_ms bigint,
  add column run_deadline timestamptz,
  -- Shared by every run of one execution (retries, continue-as-new).
  add column execution_deadline timestamptz,
  add column search_attributes jsonb not null default '{}';

create index workflow_runs_children on weft.workflow_runs (parent_run_id) where parent_run_id is not null;
create index workflow_runs_created on weft.workflow_runs (created_at desc, run_id desc);
create index workflow_runs_search on weft.workflow_runs using gin (search_attributes jsonb_path_ops);

---------------------------------------------------------------------------------------------
-- Wake-ups without the run's lock. 000001 had inbox writers take the run's row lock to read
-- and set workflow_runs.task_pending; every activity result of a fan-in then queued behind
-- the workflow task holding the run. Now a row in task_requests says "a workflow task job
-- is queued for this run". An inbox writer holds the run's advisory lock in shared mode (many
-- writers at once) and inserts the request, enqueueing a job only when it created the row.
-- A workflow task, at its end, takes that lock exclusively (waiting for writers in flight,
-- who may have relied on the request), deletes the request and requests again if the inbox
-- has events by then. The run's row is never locked by a writer.

alter table weft.workflow_runs drop column task_pending;

create table weft.task_requests (
  run_id uuid primary key
);

-- The run's request lock: an advisory lock in weft's own key space (classid 'weft').
create function weft.lock_task_request(p_run_id uuid, p_exclusive boolean) returns void
language plpgsql as $$
begin
  if p_exclusive then
    perform pg_advisory_xact_lock(2003134068, hashtext(p_run_id::text));
  else
    perform pg_advisory_xact_lock_shared(2003134068, hashtext(p_run_id::text));
  end if;
end $$;

-- A workflow task job is retried (at most every few hours, graphile-worker's backoff cap)
-- until the database lets it finish: a job that gave up would leave its request row, and so
-- the run, waiting forever.
create function weft.workflow_task_max_attempts() returns smallint
language sql immutable as $$ select 32767::smallint $$;

create or replace function weft.enqueue_workflow_task(p_run_id uuid, p_task_queue text,
    p_run_at timestamptz default null) returns void
language sql as $$
  select graphile_worker.add_job('weft/workflow/' || p_task_queue,
    json_build_object('r', p_run_id), run_at => p_run_at,
    max_attempts => weft.workflow_task_max_attempts());
  select weft.wake_at(p_run_at);
$$;

-- Makes sure a workflow task will take what is in the run's inbox.
create function weft.request_workflow_task(p_run_id uuid, p_task_queue text) returns void
language plpgsql as $$
begin
  perform weft.lock_task_request(p_run_id, false);
  insert into weft.task_requests (run_id) values (p_run_id) on conflict do nothing;
  if found then
    perform weft.enqueue_workflow_task(p_run_id, p_task_queue);
  end if;
end $$;

-- The end of a workflow task: drops the run's request and requests again if events arrived
-- meanwhile. No request, no wait: whoever creates one enqueues its job. A request this very
-- transaction created (a timer batch that queued one event for the run and then ran its task)
-- needs no exclusive lock either: no writer can have relied on an uncommitted row, and one
-- waiting on it while holding the lock shared would deadlock with us. Workflow tasks run in
-- READ COMMITTED (worker/src/db.ts): the inbox check must see what the lock waited for.
-- A closed run keeps nothing.
create function weft.release_task_request(p_run_id uuid) returns void
language plpgsql as $$
declare
  v_run weft.workflow_runs;
  v_ours boolean;
begin
  select xmin::text::bigint = pg_current_xact_id()::text::bigint % 4294967296 into v_ours
    from weft.task_requests where run_id = p_run_id;
  if not found then
    return;
  end if;
  if not v_ours then
    perform weft.lock_task_request(p_run_id, true);
  end if;
  delete from weft.task_requests where run_id = p_run_id;
  select * into v_run from weft.workflow_runs where run_id = p_run_id;
  if v_run.status is distinct from 'running' then
    delete from weft.inbox where run_id = p_run_id;
  elsif exists (select 1 from weft.inbox where run_id = p_run_id) then
    insert into weft.task_requests (run_id) values (p_run_id);
    perform weft.enqueue_workflow_task(p_run_id, v_run.task_queue);
  end if;
end $$;

-- Appends to an open run's inbox and makes sure a workflow task will take it. A run closed
-- meanwhile (read without a lock) drops the event; one closing concurrently loses it at the
-- next release_task_request, as a closed run would.
create or replace function weft.add_to_inbox(p_run_id uuid, p_type text, p_attributes jsonb) returns void
language plpgsql as $$
declare
  v_run weft.workflow_runs;
begin
  select * into v_run from weft.workflow_runs where run_id = p_run_id;
  if v_run.status is distinct from 'running' then
    return; -- closed: nothing will read it
  end if;
  insert into weft.inbox (run_id, type, attributes) values (p_run_id, p_type, p_attributes);
  perform weft.request_workflow_task(p_run_id, v_run.task_queue);
end $$;

-- As in 000001, plus the fan-in rule below. Like add_to_inbox, for a worker that can run the
-- run's workflow task itself: when p_inline_queue is the run's task queue and its lock is
-- free, the event goes straight into a new workflow task, claimed in this transaction, and
-- {"claim": weft.claim_workflow_task's answer} is returned; the caller replays and completes
-- the task before committing, saving a job round trip. Otherwise the event waits in the
-- inbox: {"queued": true}.
create or replace function weft.deliver(p_run_id uuid, p_type text, p_attributes jsonb,
    p_inline_queue text, p_after_event_id int) returns jsonb
language plpgsql as $$
begin
  -- Only when the run waits on no other activity: a fan-in's results then collect in the
  -- inbox for one task instead of each running a task that decides nothing, while holding
  -- the run (a 200-way fan-in ran about 20 tasks and took twice as long).
  if p_inline_queue is not null
     and not exists (select 1 from weft.activity_executions
                      where run_id = p_run_id and status in ('scheduled', 'started')) then
    begin
      perform 1 from weft.workflow_runs
       where run_id = p_run_id and status = 'running' and task_queue = p_inline_queue
         for update nowait;
      if found then
        return jsonb_build_object('claim',
          weft.claim_workflow_task(p_run_id, p_after_event_id, p_type, p_attributes));
      end if;
    exception when lock_not_available then
      null; -- a workflow task holds the run: queue behind it
    end;
  end if;
  perform weft.add_to_inbox(p_run_id, p_type, p_attributes);
  return '{"queued": true}';
end $$;

-- As in 000001, without task_pending; a claim that finds nothing to do releases the request.
create or replace function weft.claim_workflow_task(p_run_id uuid, p_after_event_id int default 0,
    p_type text default null, p_attributes jsonb default null)
returns jsonb
language plpgsql as $$
declare
  v_run weft.workflow_runs;
  v_moved int;
begin
  select * into v_run from weft.workflow_runs where run_id = p_run_id for update;
  if v_run.run_id is null or v_run.status <> 'running' then
    perform weft.release_task_request(p_run_id);
    return null;
  end if;
  with moved as (
    delete from weft.inbox where run_id = p_run_id
    returning seq, type, attributes, created_at
  ), arrived as (
    select seq, type, attributes, created_at from moved
    union all
    select null, p_type, p_attributes, weft.now() where p_type is not null
  )
  insert into weft.history_events (run_id, event_id, task, type, attributes, created_at)
  select p_run_id, v_run.next_event_id - 1 + row_number() over (order by seq nulls last),
         v_run.last_task + 1, type, attributes, created_at
    from arrived;
  get diagnostics v_moved = row_count;
  if v_moved = 0 then
    perform weft.release_task_request(p_run_id);
    return null;
  end if;
  update weft.workflow_runs
     set next_event_id = next_event_id + v_moved, last_task = last_task + 1
   where run_id = p_run_id;
  return jsonb_build_object(
    'workflowType', v_run.workflow_type,
    'workflowId', v_run.workflow_id,
    'task', v_run.last_task + 1,
    'events', (select jsonb_agg(jsonb_build_object(
                 'eventId', e.event_id, 'task', e.task, 'type', e.type,
                 'attributes', e.attributes, 'createdAt', e.created_at) order by e.event_id)
               from weft.history_events e
              where e.run_id = p_run_id and e.event_id > p_after_event_id));
end $$;

---------------------------------------------------------------------------------------------
-- Activity timeouts

-- As in 000001, but the activity's row is locked before its attempt is read: unlocked, an
-- attempt failing concurrently could move it on between the read and fail_activity, which
-- then found the timeout stale, and a schedule-to-close timeout of an activity retrying
-- without limit was lost (seen as a rare hang of activity-timeouts.test.ts).
create or replace function weft.timeout_activity(p_run_id uuid, p_activity_id int, p_attempt int,
    p_kind text) returns text
language plpgsql as $$
declare
  a weft.activity_executions;
  v_ms int;
begin
  select * into a from weft.activity_executions
   where run_id = p_run_id and activity_id = p_activity_id and status in ('scheduled', 'started')
     for update;
  if a.run_id is null then
    return 'stale';
  end if;
  v_ms := case p_kind when 'startToClose' then a.start_to_close_ms
                      when 'heartbeat' then a.heartbeat_ms
                      when 'scheduleToStart' then a.schedule_to_start_ms
                      else a.schedule_to_close_ms end;
  if p_kind in ('startToClose', 'heartbeat') and (a.attempt <> p_attempt or a.status <> 'started') then
    return 'stale';
  end if;
  if p_kind = 'heartbeat'
     and coalesce(a.heartbeat_at, a.started_at) + make_interval(secs => v_ms / 1000.0) > weft.now() then
    return 'stale';
  end if;
  if p_kind = 'scheduleToStart' and (a.attempt <> p_attempt or a.status <> 'scheduled') then
    return 'stale';
  end if;
  return weft.fail_activity(p_run_id, p_activity_id, a.attempt, jsonb_build_object(
    'name', 'TimeoutFailure', 'type', 'TimeoutFailure', 'timeoutType', p_kind,
    'message', format('activity %s timed out (%s after %s ms)', a.activity_type, p_kind, v_ms),
    'details', a.heartbeat_details),
    p_kind in ('startToClose', 'heartbeat'));
end $$;

---------------------------------------------------------------------------------------------
-- Validation of start options

create function weft.check_search_attributes(p_attributes jsonb) returns void
language plpgsql immutable as $$
declare
  v_key text;
  v_value jsonb;
begin
  if jsonb_typeof(p_attributes) is distinct from 'object' then
    raise exception 'search attributes must be a JSON object, got %', coalesce(jsonb_typeof(p_attributes), 'null')
      using errcode = 'WF003', hint = 'Pass {"customer": "acme"}.';
  end if;
  for v_key, v_value in select key, value from jsonb_each(p_attributes) loop
    if v_key !~ '^[A-Za-z_][A-Za-z0-9_]{0,63}$' then
      raise exception 'search attribute key "%" is not a name', v_key
        using errcode = 'WF003', hint = 'Use a letter or _ followed by up to 63 letters, digits or _.';
    end if;
    if jsonb_typeof(v_value) not in ('string', 'number', 'boolean', 'null')
       and not (jsonb_typeof(v_value) = 'array'
                and not exists (select 1 from jsonb_array_elements(v_value) e where jsonb_typeof(e) <> 'string')) then
      raise exception 'search attribute "%" is a %', v_key, jsonb_typeof(v_value)
        using errcode = 'WF003', hint = 'Values are strings, numbers, booleans, arrays of strings, or null.';
    end if;
  end loop;
end $$;

-- A timeout option in ms (null when absent): a positive number up to ten years.
create function weft.timeout_option(p_options jsonb, p_key text) returns bigint
language plpgsql immutable as $$
declare
  v jsonb := p_options->p_key;
begin
  if v is null or jsonb_typeof(v) = 'null' then
    return null;
  end if;
  if jsonb_typeof(v) <> 'number' or v::text::numeric <= 0 or v::text::numeric > 315360000000 then
    raise exception '% must be a number of milliseconds between 1 and ten years, got %', p_key, v
      using errcode = 'WF003';
  end if;
  return ceil(v::text::numeric)::bigint;
end $$;

-- A retry policy as snapped onto a run: the seed's defaults under what the caller gave.
create function weft.retry_policy(p_policy jsonb) returns jsonb
language plpgsql immutable as $$
begin
  if p_policy is null or jsonb_typeof(p_policy) = 'null' then
    return null;
  end if;
  if jsonb_typeof(p_policy) <> 'object' then
    raise exception 'a retry policy must be a JSON object' using errcode = 'WF003';
  end if;
  return '{"maxAttempts": 3, "initialIntervalSeconds": 1, "backoffCoefficient": 2,
           "maximumIntervalSeconds": null, "nonRetryableErrorTypes": [], "backoffSeconds": null}'::jsonb
         || p_policy;
end $$;

---------------------------------------------------------------------------------------------
-- Creating runs

drop function weft.start_workflows(jsonb);
drop function weft.start_workflow(text, jsonb, text, text, uuid);
drop function weft.create_run(text, jsonb, text, text, uuid);

-- The 'weft/run-timeout' job for a run's deadline (database time; the job runs on the real clock).
create function weft.enqueue_run_timeout(p_run_id uuid, p_deadline timestamptz) returns void
language sql as $$
  select graphile_worker.add_job('weft/run-timeout', json_build_object('r', p_run_id),
    run_at => p_deadline - (weft.now() - now()), max_attempts => 25);
  select weft.wake_at(p_deadline - (weft.now() - now()));
$$;

-- A new run with WorkflowStarted in its inbox; the caller enqueues its first workflow task.
-- p_options (all optional): searchAttributes, retryPolicy, runTimeoutMs, executionTimeoutMs,
-- and, set by weft itself, attempt, startDelayMs (a retry's backoff: the run timeout counts
-- from after it), executionDeadline, continuedFromRunId, parentRunId, parentWorkflowId,
-- parentChildId, parentClosePolicy.
create function weft.create_run(
  p_workflow_type text,
  p_args jsonb,
  p_workflow_id text,
  p_task_queue text,
  p_run_id uuid,
  p_options jsonb default '{}'
) returns uuid
language plpgsql as $$
declare
  v_run_id uuid := coalesce(p_run_id, gen_random_uuid());
  v_workflow_id text := coalesce(p_workflow_id, v_run_id::text);
  o jsonb := coalesce(p_options, '{}');
  v_search jsonb := coalesce(o->'searchAttributes', '{}');
  v_run_timeout_ms bigint := weft.timeout_option(o, 'runTimeoutMs');
  v_execution_deadline timestamptz := coalesce((o->>'executionDeadline')::timestamptz,
    weft.now() + make_interval(secs => weft.timeout_option(o, 'executionTimeoutMs') / 1000.0));
  v_run_deadline timestamptz := least(v_execution_deadline, weft.now()
    + make_interval(secs => (coalesce((o->>'startDelayMs')::float8, 0) + v_run_timeout_ms) / 1000.0));
  v_started jsonb;
begin
  if not exists (select 1 from weft.workflow_types
                 where task_queue = p_task_queue and workflow_type = p_workflow_type) then
    raise exception 'unknown workflow type "%" on task queue "%"', p_workflow_type, p_task_queue
      using errcode = 'WF001',
            hint = 'Start a worker for this task queue that registers the workflow, or check the spelling.';
  end if;
  perform weft.check_args(p_args, 'workflow arguments');
  perform weft.check_search_attributes(v_search);
  v_search := jsonb_strip_nulls(v_search);
  begin
    insert into weft.workflow_runs (run_id, workflow_id, workflow_type, task_queue, input,
      attempt, retry_policy, parent_run_id, parent_workflow_id, parent_child_id, parent_close_policy,
      continued_from_run_id, run_timeout_ms, run_deadline, execution_deadline, search_attributes)
    values (v_run_id, v_workflow_id, p_workflow_type, p_task_queue, p_args,
      coalesce((o->>'attempt')::int, 1), weft.retry_policy(o->'retryPolicy'),
      (o->>'parentRunId')::uuid, o->>'parentWorkflowId', (o->>'parentChildId')::int,
      o->>'parentClosePolicy', (o->>'continuedFromRunId')::uuid, v_run_timeout_ms, v_run_deadline,
      v_execution_deadline, v_search);
  exception when unique_violation then
    raise exception 'workflow id "%" is already running', v_workflow_id
      using errcode = 'WF002', hint = 'Pick another workflow id or wait for the running one to close.';
  end;
  v_started := jsonb_build_object('workflowType', p_workflow_type, 'workflowId', v_workflow_id,
    'taskQueue', p_task_queue, 'args', p_args, 'attempt', coalesce((o->>'attempt')::int, 1),
    'searchAttributes', v_search);
  if o ? 'parentRunId' then
    v_started := v_started || jsonb_build_object('parentRunId', o->'parentRunId',
      'parentWorkflowId', o->'parentWorkflowId');
  end if;
  if o ? 'continuedFromRunId' then
    v_started := v_started || jsonb_build_object('continuedFromRunId', o->'continuedFromRunId');
  end if;
  insert into weft.inbox (run_id, type, attributes) values (v_run_id, 'WorkflowStarted', v_started);
  if v_run_deadline is not null then
    perform weft.enqueue_run_timeout(v_run_id, v_run_deadline);
  end if;
  return v_run_id;
end $$;

-- The options a caller may give (the rest are weft's own bookkeeping).
create function weft.start_options(p_options jsonb) returns jsonb
language sql immutable as $$
  select coalesce(jsonb_object_agg(key, value), '{}') from jsonb_each(coalesce(p_options, '{}'))
   where key in ('searchAttributes', 'retryPolicy', 'runTimeoutMs', 'executionTimeoutMs');
$$;

-- p_options: {"searchAttributes": {...}, "retryPolicy": {...}, "runTimeoutMs": n,
-- "executionTimeoutMs": n}, all optional.
create function weft.start_workflow(
  p_workflow_type text,
  p_args jsonb default '[]',
  p_workflow_id text default null,
  p_task_queue text default 'default',
  p_run_id uuid default null,
  p_options jsonb default null
) returns uuid
language plpgsql as $$
declare
  v_run_id uuid := weft.create_run(p_workflow_type, p_args, p_workflow_id, p_task_queue, p_run_id,
    weft.start_options(p_options));
begin
  perform weft.enqueue_workflow_task(v_run_id, p_task_queue);
  return v_run_id;
end $$;

-- Starts several workflows in one transaction (one commit for many starts: how the client
-- sends concurrent start calls). Each start stands alone: a refused one (WF001-WF004, or
-- arguments that are not JSON) reports its error in its slot and leaves the others be.
-- Input: [{"workflowType", "args", "workflowId", "taskQueue", "options"}]; output, in order:
-- [{"runId"} | {"error": {"code", "message", "hint"}}].
create function weft.start_workflows(p_starts jsonb) returns jsonb
language plpgsql as $$
declare
  v_start jsonb;
  v_out jsonb := '[]';
  v_jobs graphile_worker.job_spec[] := '{}';
  v_run_id uuid;
  v_queue text;
  v_code text;
  v_message text;
  v_hint text;
begin
  for v_start in select value from jsonb_array_elements(p_starts) loop
    begin
      v_queue := coalesce(v_start->>'taskQueue', 'default');
      v_run_id := weft.create_run(v_start->>'workflowType', v_start->'args', v_start->>'workflowId',
        v_queue, null, weft.start_options(v_start->'options'));
      v_out := v_out || jsonb_build_object('runId', v_run_id);
      v_jobs := v_jobs || row('weft/workflow/' || v_queue, json_build_object('r', v_run_id),
        null, null, weft.workflow_task_max_attempts(), null, null, null)::graphile_worker.job_spec;
    exception when sqlstate 'WF001' or sqlstate 'WF002' or sqlstate 'WF003' or sqlstate 'WF004'
                   or invalid_text_representation or invalid_datetime_format then
      get stacked diagnostics v_code = returned_sqlstate, v_message = message_text,
                              v_hint = pg_exception_hint;
      v_out := v_out || jsonb_build_object('error',
        jsonb_build_object('code', v_code, 'message', v_message, 'hint', nullif(v_hint, '')));
    end;
  end loop;
  -- One insert (and one NOTIFY) for all the first workflow tasks.
  if cardinality(v_jobs) > 0 then
    perform graphile_worker.add_jobs(v_jobs);
  end if;
  return v_out;
end $$;

-- The open run of a workflow id, locked (or the given run). Follows a run that continued as
-- new or is being retried to the run that carries on, so a caller never lands on a run that
-- closed while it waited for the lock.
create function weft.lock_open_run(p_workflow_id text, p_run_id uuid) returns weft.workflow_runs
language plpgsql as $$
declare
  v_run weft.workflow_runs;
begin
  select * into v_run from weft.workflow_runs
   where workflow_id = p_workflow_id and (p_run_id is null or run_id = p_run_id)
   order by created_at desc limit 1
   for update;
  while v_run.next_run_id is not null and p_run_id is null loop
    select * into v_run from weft.workflow_runs where run_id = v_run.next_run_id for update;
  end loop;
  if v_run.run_id is null then
    raise exception 'workflow "%" not found', p_workflow_id
      using errcode = 'WF004', hint = 'Check the workflow id; list runs with Client.list or weft.workflow_runs.';
  end if;
  if v_run.status <> 'running' then
    raise exception 'workflow "%" is %', p_workflow_id, replace(v_run.status, '_', ' ')
      using errcode = 'WF004', hint = 'Start a new run to act on it.';
  end if;
  return v_run;
end $$;

create or replace function weft.signal_workflow(
  p_workflow_id text,
  p_signal_name text,
  p_args jsonb default '[]',
  p_run_id uuid default null
) returns uuid
language plpgsql as $$
declare
  v_run weft.workflow_runs;
begin
  perform weft.check_args(p_args, 'signal arguments');
  -- The lock waits out a workflow task holding the run, so a run never closes with a signal
  -- accepted but unseen: the signal either lands before the task or follows to the next run.
  v_run := weft.lock_open_run(p_workflow_id, p_run_id);
  perform weft.add_to_inbox(v_run.run_id, 'SignalReceived',
    jsonb_build_object('signalName', p_signal_name, 'args', p_args));
  return v_run.run_id;
end $$;

---------------------------------------------------------------------------------------------
-- Closing runs

-- Everything a run's close implies, for a run locked by the caller: status, the waiters'
-- NOTIFY, its timers, the parent's ChildWorkflowCompleted/Failed (unless p_next_run_id carries
-- the workflow on), and a job that applies the parent close policy to its open children
-- (a job, not here: locking children while holding this run could deadlock with a child
-- closing itself, which holds its own row).
create function weft.close_run(p_run weft.workflow_runs, p_status text, p_result jsonb,
    p_failure jsonb, p_next_run_id uuid default null) returns void
language plpgsql as $$
begin
  update weft.workflow_runs
     set status = p_status, result = p_result, failure = p_failure, closed_at = weft.now(),
         next_run_id = p_next_run_id
   where run_id = p_run.run_id;
  delete from weft.timers where run_id = p_run.run_id;
  delete from weft.inbox where run_id = p_run.run_id; -- nothing will read it (a run closed before its first task)
  perform pg_notify('weft_run_closed', p_run.run_id::text);
  if p_run.parent_run_id is not null and p_next_run_id is null then
    if p_status = 'completed' then
      perform weft.add_to_inbox(p_run.parent_run_id, 'ChildWorkflowCompleted', jsonb_build_object(
        'childId', p_run.parent_child_id, 'runId', p_run.run_id, 'result', p_result));
    else
      perform weft.add_to_inbox(p_run.parent_run_id, 'ChildWorkflowFailed', jsonb_build_object(
        'childId', p_run.parent_child_id, 'workflowType', p_run.workflow_type,
        'workflowId', p_run.workflow_id, 'runId', p_run.run_id, 'failure', p_failure));
    end if;
  end if;
  if exists (select 1 from weft.workflow_runs where parent_run_id = p_run.run_id
              and status = 'running' and parent_close_policy = 'terminate') then
    perform graphile_worker.add_job('weft/parent-closed', json_build_object('r', p_run.run_id),
      max_attempts => 25);
  end if;
end $$;

-- Appends an event that closes a run from outside a workflow task (termination, timeout) as
-- a task of its own, and closes the run.
create function weft.close_run_from_outside(p_run weft.workflow_runs, p_type text,
    p_attributes jsonb, p_status text, p_failure jsonb) returns void
language plpgsql as $$
begin
  insert into weft.history_events (run_id, event_id, task, type, attributes)
  values (p_run.run_id, p_run.next_event_id, p_run.last_task + 1, p_type, p_attributes);
  update weft.workflow_runs
     set next_event_id = next_event_id + 1, last_task = last_task + 1
   where run_id = p_run.run_id;
  perform weft.close_run(p_run, p_status, null, p_failure);
end $$;

-- Closes a locked run as terminated: WorkflowTerminated with `p_reason`, a TerminatedFailure
-- saying `p_message`.
create function weft.terminate_run(p_run weft.workflow_runs, p_reason text, p_message text)
returns void
language sql as $$
  select weft.close_run_from_outside(p_run, 'WorkflowTerminated',
    jsonb_build_object('reason', p_reason), 'terminated',
    jsonb_build_object('name', 'TerminatedFailure', 'type', 'TerminatedFailure', 'message', p_message));
$$;

-- Ends a workflow's open run now, whatever it is doing. Its activities' results are dropped;
-- its parent, if any, sees a ChildWorkflowFailure caused by a TerminatedFailure.
create function weft.terminate_workflow(p_workflow_id text, p_reason text default 'terminated',
    p_run_id uuid default null) returns uuid
language plpgsql as $$
declare
  v_run weft.workflow_runs := weft.lock_open_run(p_workflow_id, p_run_id);
begin
  perform weft.terminate_run(v_run, coalesce(p_reason, 'terminated'), coalesce(p_reason, 'terminated'));
  return v_run.run_id;
end $$;

-- The 'weft/run-timeout' job: times the run out if its run or execution deadline has passed
-- (and it is still open); a job that ran early re-enqueues itself for the deadline.
create function weft.timeout_run(p_run_id uuid) returns void
language plpgsql as $$
declare
  v_run weft.workflow_runs;
  v_kind text;
begin
  select * into v_run from weft.workflow_runs where run_id = p_run_id for update;
  if v_run.status is distinct from 'running' or v_run.run_deadline is null then
    return;
  end if;
  if v_run.run_deadline > weft.now() then
    perform weft.enqueue_run_timeout(p_run_id, v_run.run_deadline);
    return;
  end if;
  v_kind := case when v_run.run_deadline >= v_run.execution_deadline then 'workflowExecution'
                 else 'workflowRun' end;
  perform weft.close_run_from_outside(v_run, 'WorkflowTimedOut',
    jsonb_build_object('timeoutType', v_kind), 'timed_out',
    jsonb_build_object('name', 'TimeoutFailure', 'type', 'TimeoutFailure', 'timeoutType', v_kind,
      'message', case v_kind when 'workflowRun' then 'workflow run timed out'
                             else 'workflow execution timed out' end));
end $$;

-- The 'weft/parent-closed' job: terminates the open children of a closed run whose parent
-- close policy is 'terminate' (children of children follow through their own closes).
create function weft.apply_parent_close_policy(p_run_id uuid) returns void
language plpgsql as $$
declare
  v_child weft.workflow_runs;
begin
  -- One child per statement: a child that continued as new or is being retried while we
  -- waited for its lock has a next run (inheriting the parent link) that only a new
  -- statement sees.
  loop
    select * into v_child from weft.workflow_runs
     where parent_run_id = p_run_id and status = 'running' and parent_close_policy = 'terminate'
     order by run_id limit 1
       for update;
    exit when v_child.run_id is null;
    perform weft.terminate_run(v_child, 'parent closed',
      'terminated: its parent ' || v_child.parent_workflow_id || ' closed');
  end loop;
end $$;

-- Seconds before a failed run's retry, or null when its retry policy gives it none: no
-- policy, attempts used up, a non-retryable failure, or a retry that would start after the
-- execution deadline.
create function weft.run_retry_delay(p_run weft.workflow_runs, p_failure jsonb) returns float8
language plpgsql stable as $$
declare
  v_policy jsonb := p_run.retry_policy;
  v_max int := coalesce((v_policy->>'maxAttempts')::int, 3);
  v_delay float8;
begin
  if v_policy is null
     or (v_max > 0 and p_run.attempt >= v_max)
     or coalesce((p_failure->>'nonRetryable')::boolean, false)
     or coalesce(v_policy->'nonRetryableErrorTypes', '[]') ? coalesce(p_failure->>'type', '') then
    return null;
  end if;
  v_delay := weft.retry_delay_seconds(v_policy, p_run.attempt);
  if weft.now() + make_interval(secs => v_delay) >= p_run.execution_deadline then
    return null;
  end if;
  return v_delay;
end $$;

-- The run that carries a workflow id on after p_run: a retry (same input, attempt + 1, first
-- task after p_delay seconds) or a continue-as-new (p_continue: workflowType, taskQueue,
-- args). It inherits the parent link, retry policy, execution deadline and search attributes.
create function weft.create_next_run(p_run weft.workflow_runs, p_continue jsonb,
    p_delay float8 default 0) returns uuid
language plpgsql as $$
declare
  v_queue text := coalesce(p_continue->>'taskQueue', p_run.task_queue);
  v_run_id uuid;
  v_options jsonb;
begin
  v_options := jsonb_build_object(
    'attempt', case when p_continue is null then p_run.attempt + 1 else 1 end,
    'retryPolicy', p_run.retry_policy,
    'executionDeadline', p_run.execution_deadline,
    'searchAttributes', p_run.search_attributes,
    'runTimeoutMs', p_run.run_timeout_ms, -- each run gets it afresh
    'startDelayMs', p_delay * 1000);
  if p_run.parent_run_id is not null then
    v_options := v_options || jsonb_build_object('parentRunId', p_run.parent_run_id,
      'parentWorkflowId', p_run.parent_workflow_id, 'parentChildId', p_run.parent_child_id,
      'parentClosePolicy', p_run.parent_close_policy);
  end if;
  if p_continue is not null then
    v_options := v_options || jsonb_build_object('continuedFromRunId', p_run.run_id);
  end if;
  -- Closed first: the workflow id is unique among open runs.
  update weft.workflow_runs set status = case when p_continue is null then 'failed'
                                              else 'continued_as_new' end
   where run_id = p_run.run_id;
  v_run_id := weft.create_run(coalesce(p_continue->>'workflowType', p_run.workflow_type),
    coalesce(p_continue->'args', p_run.input), p_run.workflow_id, v_queue, null, v_options);
  -- The request row is there from the start, so a signal during the backoff waits in the
  -- inbox for the delayed task instead of starting the run early.
  insert into weft.task_requests (run_id) values (v_run_id);
  perform weft.enqueue_workflow_task(v_run_id, v_queue,
    case when p_delay > 0 then now() + make_interval(secs => p_delay) end);
  return v_run_id;
end $$;

---------------------------------------------------------------------------------------------
-- Workflow tasks

-- Starts a child workflow for a StartChildWorkflow command of p_run's task and returns the
-- ChildWorkflowScheduled attributes. A child that cannot start (unknown type, id already
-- running, bad arguments) gets a null runId and a ChildWorkflowFailed in the parent's inbox.
create function weft.start_child(p_run weft.workflow_runs, p_cmd jsonb) returns jsonb
language plpgsql as $$
declare
  v_attrs jsonb := p_cmd - 'kind';
  v_child uuid;
  v_code text;
  v_message text;
begin
  begin
    v_child := weft.create_run(p_cmd->>'workflowType', p_cmd->'args', p_cmd->>'workflowId',
      p_cmd->>'taskQueue', null, jsonb_build_object(
        'parentRunId', p_run.run_id, 'parentWorkflowId', p_run.workflow_id,
        'parentChildId', (p_cmd->>'childId')::int, 'parentClosePolicy', p_cmd->>'parentClosePolicy',
        'retryPolicy', p_cmd->'retryPolicy', 'runTimeoutMs', p_cmd->'runTimeoutMs',
        'executionTimeoutMs', p_cmd->'executionTimeoutMs'));
    perform weft.enqueue_workflow_task(v_child, p_cmd->>'taskQueue');
  exception when sqlstate 'WF001' or sqlstate 'WF002' or sqlstate 'WF003' or invalid_text_representation then
    get stacked diagnostics v_code = returned_sqlstate, v_message = message_text;
    perform weft.add_to_inbox(p_run.run_id, 'ChildWorkflowFailed', jsonb_build_object(
      'childId', (p_cmd->>'childId')::int, 'workflowType', p_cmd->>'workflowType',
      'workflowId', p_cmd->>'workflowId', 'runId', null,
      'failure', jsonb_build_object('name', 'ApplicationFailure', 'nonRetryable', true,
        'type', case v_code when 'WF001' then 'UnknownWorkflowType'
                            when 'WF002' then 'WorkflowAlreadyRunning' else 'PayloadError' end,
        'message', 'the child workflow could not start: ' || v_message)));
  end;
  return v_attrs || jsonb_build_object('runId', v_child);
end $$;

-- Turns the commands of one workflow task into history events, activity rows, child runs and
-- jobs. Command wire format: sdk/src/commands.ts (WireCommand); event format:
-- docs/history-events.md.
-- With p_eager_worker set, the first new activity on p_eager_queue whose type is in
-- p_eager_types is claimed by that worker instead of enqueued, and its job payload returned:
-- the worker runs it right after commit, saving a job round trip.
-- Returns {"eager": job payload or null, "timers": [[timer id, due epoch ms], ...]}.
create or replace function weft.complete_workflow_task(p_run_id uuid, p_task int, p_commands jsonb,
    p_unhandled_signals jsonb default '[]', p_eager_worker text default null,
    p_eager_queue text default null, p_eager_types text[] default '{}') returns jsonb
language plpgsql as $$
declare
  v_run weft.workflow_runs;
  v_cmd jsonb;
  v_event_id int;
  v_attrs jsonb;
  v_eager json;
  a weft.activity_executions;
  v_fire_from timestamptz;
  v_fire_at timestamptz;
  v_timers jsonb := '[]';
  v_next_run uuid;
  v_delay float8;
  v_jobs graphile_worker.job_spec[] := '{}';
  v_close text;
  v_result jsonb;
  v_failure jsonb;
begin
  select * into v_run from weft.workflow_runs where run_id = p_run_id for update;
  if v_run.last_task <> p_task or v_run.status <> 'running' then
    raise exception 'workflow task % of run % is no longer current', p_task, p_run_id
      using errcode = 'WF005';
  end if;
  select max(created_at) into v_fire_from from weft.history_events
   where run_id = p_run_id and event_id < v_run.next_event_id and task = p_task;
  v_event_id := v_run.next_event_id;
  for v_cmd in select value from jsonb_array_elements(p_commands) loop
    case v_cmd->>'kind'
    when 'ScheduleActivity' then
      perform weft.check_args(v_cmd->'args', 'activity arguments');
      v_attrs := v_cmd - 'kind';
      perform weft.append_event(v_run, v_event_id, 'ActivityScheduled', v_attrs);
      insert into weft.activity_executions (run_id, activity_id, activity_type, queue, input,
        retry_policy, start_to_close_ms, schedule_to_start_ms, schedule_to_close_ms, heartbeat_ms,
        claimed_by)
      values (p_run_id, (v_cmd->>'activityId')::int, v_cmd->>'activityType', v_cmd->>'queue',
        v_cmd->'args', v_cmd->'retryPolicy', (v_cmd->>'startToCloseMs')::int,
        (v_cmd->>'scheduleToStartMs')::int, (v_cmd->>'scheduleToCloseMs')::int,
        (v_cmd->>'heartbeatMs')::int,
        case when v_eager is null and v_cmd->>'queue' = p_eager_queue
                  and v_cmd->>'activityType' = any(p_eager_types) then p_eager_worker end)
      returning * into a;
      if a.claimed_by is not null then
        v_eager := weft.activity_job(a, 1);
      else
        v_jobs := v_jobs || row('weft/activity/' || a.queue, weft.activity_job(a, 1),
          null, null, 25, null, null, null)::graphile_worker.job_spec;
      end if;
      if v_cmd->>'scheduleToStartMs' is not null then
        perform weft.enqueue_activity_timeout(p_run_id, (v_cmd->>'activityId')::int, 1,
          'scheduleToStart', (v_cmd->>'scheduleToStartMs')::int);
      end if;
      if v_cmd->>'scheduleToCloseMs' is not null then
        perform weft.enqueue_activity_timeout(p_run_id, (v_cmd->>'activityId')::int, 1,
          'scheduleToClose', (v_cmd->>'scheduleToCloseMs')::int);
      end if;
    when 'StartTimer' then
      -- A timer counts from the arrival of what the workflow reacted to (the task's newest
      -- incoming event), so a backlog of workflow tasks does not stretch it.
      v_fire_at := coalesce(v_fire_from, weft.now()) + make_interval(secs => (v_cmd->>'seconds')::int);
      perform weft.append_event(v_run, v_event_id, 'TimerStarted', jsonb_build_object(
        'timerId', v_cmd->>'timerId', 'seconds', (v_cmd->>'seconds')::int, 'fireAt', v_fire_at));
      -- due_at is on the real clock; weft.now() may be ahead of it in tests
      insert into weft.timers (run_id, timer_id, task_queue, due_at)
      values (p_run_id, v_cmd->>'timerId', v_run.task_queue, v_fire_at - (weft.now() - now()));
      v_timers := v_timers || jsonb_build_array(jsonb_build_array(v_cmd->>'timerId',
        (extract(epoch from v_fire_at - (weft.now() - now())) * 1000)::bigint));
    when 'RecordSideEffect' then
      perform weft.check_payload(v_cmd->'value', 'side effect value');
      perform weft.append_event(v_run, v_event_id, 'MarkerRecorded', jsonb_build_object(
        'markerName', v_cmd->>'markerName', 'value', v_cmd->'value'));
    when 'RecordVersionMarker' then
      perform weft.append_event(v_run, v_event_id, 'VersionMarkerRecorded', jsonb_build_object(
        'changeId', v_cmd->>'changeId', 'version', (v_cmd->>'version')::int));
    when 'UpsertSearchAttributes' then
      perform weft.check_search_attributes(v_cmd->'attributes');
      perform weft.append_event(v_run, v_event_id, 'SearchAttributesUpserted',
        jsonb_build_object('attributes', v_cmd->'attributes'));
      update weft.workflow_runs
         set search_attributes = jsonb_strip_nulls(search_attributes || (v_cmd->'attributes'))
       where run_id = p_run_id
      returning * into v_run;
    when 'StartChildWorkflow' then
      perform weft.append_event(v_run, v_event_id, 'ChildWorkflowScheduled',
        weft.start_child(v_run, v_cmd));
    when 'CompleteWorkflow' then
      perform weft.check_payload(v_cmd->'result', 'workflow result');
      perform weft.append_event(v_run, v_event_id, 'WorkflowCompleted',
        jsonb_build_object('result', v_cmd->'result'));
      v_close := 'completed';
      v_result := v_cmd->'result';
    when 'FailWorkflow' then
      v_failure := v_cmd->'failure';
      v_delay := weft.run_retry_delay(v_run, v_failure);
      if v_delay is not null then
        v_next_run := weft.create_next_run(v_run, null, v_delay);
      end if;
      perform weft.append_event(v_run, v_event_id, 'WorkflowFailed',
        jsonb_build_object('failure', v_failure, 'nextRunId', v_next_run));
      v_close := 'failed';
    when 'ContinueAsNew' then
      perform weft.check_args(v_cmd->'args', 'continue-as-new arguments');
      v_next_run := weft.create_next_run(v_run, v_cmd);
      perform weft.append_event(v_run, v_event_id, 'WorkflowContinuedAsNew',
        (v_cmd - 'kind') || jsonb_build_object('newRunId', v_next_run));
      v_close := 'continued_as_new';
    else
      raise exception 'unknown command kind "%"', v_cmd->>'kind' using errcode = 'WF003';
    end case;
    v_event_id := v_event_id + 1;
  end loop;
  -- One insert (and one NOTIFY) for a fan-out's activities.
  if cardinality(v_jobs) > 0 then
    perform graphile_worker.add_jobs(v_jobs);
  end if;
  update weft.workflow_runs
     set next_event_id = v_event_id, task_failure = null, task_failures = 0,
         unhandled_signals = unhandled_signals || p_unhandled_signals
   where run_id = p_run_id;
  if v_close is not null then
    perform weft.close_run(v_run, v_close, v_result, v_failure, v_next_run);
  end if;
  -- Last: inbox writers wait for its exclusive lock only during the task's final moments.
  perform weft.release_task_request(p_run_id);
  return jsonb_build_object('eager', v_eager, 'timers', v_timers);
end $$;
