-- weft core schema: runs, history, inbox, activities, workers, and the SQL write API.
-- Error codes raised here (mapped to typed errors in sdk/src/errors.ts):
--   WF001 unknown workflow type        WF002 workflow id already running
--   WF003 invalid or oversized payload WF004 workflow not found or closed
-- Task identifiers and job keys built here must match worker/src/jobs.ts.
-- migrate() (sql/src/migrate.ts) creates schema weft and its migrations table first.

-- Time is the database's (DESIGN invariant 5); tests move it with weft.advance_clock.
create table weft.clock (
  id boolean primary key default true check (id),
  offset_ms bigint not null default 0
);
insert into weft.clock default values;

create function weft.now() returns timestamptz
language sql stable as $$
  select now() + make_interval(secs => offset_ms / 1000.0) from weft.clock
$$;

create table weft.workflow_types (
  task_queue text not null,
  workflow_type text not null,
  registered_at timestamptz not null default now(),
  primary key (task_queue, workflow_type)
);

create table weft.workflow_runs (
  run_id uuid primary key,
  workflow_id text not null,
  workflow_type text not null,
  task_queue text not null,
  status text not null default 'running'
    check (status in ('running', 'completed', 'failed')),
  input jsonb not null,
  result jsonb,
  failure jsonb,
  next_event_id int not null default 1,
  last_task int not null default 0,
  -- A workflow task job is queued for this run: inbox writers, holding the run's lock, enqueue
  -- one only when this is false, and claiming a task clears it. (graphile-worker's job_key
  -- dedupe can merge a wake-up into a job already running and lose it; this cannot.)
  task_pending boolean not null default true,
  -- Last failed workflow task (non-determinism, unknown type, ...); cleared by the next good task.
  task_failure jsonb,
  task_failures int not null default 0,
  unhandled_signals jsonb not null default '[]',
  created_at timestamptz not null default weft.now(),
  closed_at timestamptz
);
create unique index workflow_runs_open_workflow_id on weft.workflow_runs (workflow_id)
  where status = 'running';
create index workflow_runs_workflow_id on weft.workflow_runs (workflow_id, created_at desc);
create index workflow_runs_task_failure on weft.workflow_runs (task_queue)
  where task_failure is not null and status = 'running';

-- Append-only; event ids dense from 1 per run; `task` numbers the workflow task that
-- appended the event, which is what lets replay group events exactly as first seen.
create table weft.history_events (
  run_id uuid not null,
  event_id int not null,
  task int not null,
  type text not null,
  attributes jsonb not null,
  created_at timestamptz not null default weft.now(),
  primary key (run_id, event_id)
);

-- What happened to a run while no workflow task held it; moved into history in arrival order.
create table weft.inbox (
  run_id uuid not null,
  seq bigint generated always as identity,
  type text not null,
  attributes jsonb not null,
  created_at timestamptz not null default weft.now(),
  primary key (run_id, seq)
);

create table weft.activity_executions (
  run_id uuid not null,
  activity_id int not null,
  activity_type text not null,
  queue text not null,
  input jsonb not null,
  retry_policy jsonb not null,
  start_to_close_ms int,
  schedule_to_start_ms int,
  schedule_to_close_ms int,
  heartbeat_ms int,
  status text not null default 'scheduled'
    check (status in ('scheduled', 'started', 'completed', 'failed')),
  attempt int not null default 1,
  scheduled_at timestamptz not null default weft.now(),
  attempt_scheduled_at timestamptz not null default weft.now(),
  started_at timestamptz,
  heartbeat_at timestamptz,
  heartbeat_details jsonb,
  last_failure jsonb,
  closed_at timestamptz,
  -- The worker running this attempt without a job (eager dispatch); if that worker dies,
  -- weft.heartbeat_worker enqueues the attempt as a job.
  claimed_by text,
  primary key (run_id, activity_id)
);
create index activity_executions_claimed_by on weft.activity_executions (claimed_by)
  where claimed_by is not null;

-- Pending workflow timers. Workers of the run's task queue fire them: the one that created a
-- timer schedules it in memory, the others find it by polling (worker/src/timers.ts).
-- due_at is on the real clock (now()), like graphile-worker's run_at.
create table weft.timers (
  run_id uuid not null,
  timer_id text not null,
  task_queue text not null,
  due_at timestamptz not null,
  primary key (run_id, timer_id)
);
create index timers_due on weft.timers (task_queue, due_at);

create table weft.workers (
  worker_id text primary key,
  task_queue text not null,
  -- graphile-worker ids whose job locks are released when this worker is found dead
  lock_ids text[] not null default '{}',
  hostname text not null,
  pid int not null,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now()
);

---------------------------------------------------------------------------------------------
-- Helpers

create function weft.max_payload_bytes() returns int
language sql immutable as $$ select 2 * 1024 * 1024 $$;

create function weft.check_payload(p_payload jsonb, p_what text) returns void
language plpgsql immutable as $$
begin
  if octet_length(p_payload::text) > weft.max_payload_bytes() then
    raise exception '% is % bytes, over the limit of % bytes', p_what,
      octet_length(p_payload::text), weft.max_payload_bytes()
      using errcode = 'WF003', hint = 'Pass a reference (a row id, an object key) instead of the data itself.';
  end if;
end $$;

create function weft.check_args(p_args jsonb, p_what text) returns void
language plpgsql immutable as $$
begin
  if p_args is null or jsonb_typeof(p_args) <> 'array' then
    raise exception '% must be a JSON array of arguments, got %', p_what,
      coalesce(jsonb_typeof(p_args), 'null')
      using errcode = 'WF003', hint = 'Wrap a single argument in an array: ''[42]''::jsonb.';
  end if;
  perform weft.check_payload(p_args, p_what);
end $$;

-- graphile-worker notices delayed jobs only when it polls; this tells weft workers when one
-- comes due so they fetch it on time (worker/src/wake-ups.ts).
create function weft.wake_at(p_run_at timestamptz) returns void
language sql as $$
  select pg_notify('weft_wake', (extract(epoch from p_run_at) * 1000)::bigint::text)
   where p_run_at > now();
$$;

create function weft.enqueue_workflow_task(p_run_id uuid, p_task_queue text,
    p_run_at timestamptz default null) returns void
language sql as $$
  select graphile_worker.add_job('weft/workflow/' || p_task_queue,
    json_build_object('r', p_run_id), run_at => p_run_at, max_attempts => 25);
  select weft.wake_at(p_run_at);
$$;

-- Appends to an open run's inbox and makes sure a workflow task will take it. The row lock
-- waits out a running workflow task, so its claim either saw this event or cleared
-- task_pending before we read it.
create function weft.add_to_inbox(p_run_id uuid, p_type text, p_attributes jsonb) returns void
language plpgsql as $$
declare
  v_run weft.workflow_runs;
begin
  select * into v_run from weft.workflow_runs where run_id = p_run_id for no key update;
  if v_run.status is distinct from 'running' then
    return; -- closed: nothing will read it
  end if;
  insert into weft.inbox (run_id, type, attributes) values (p_run_id, p_type, p_attributes);
  if not v_run.task_pending then
    update weft.workflow_runs set task_pending = true where run_id = p_run_id;
    perform weft.enqueue_workflow_task(p_run_id, v_run.task_queue);
  end if;
end $$;

-- Like add_to_inbox, for a worker that can run the run's workflow task itself: when
-- p_inline_queue is the run's task queue and its lock is free, the event goes straight into
-- a new workflow task, claimed in this transaction, and {"claim": weft.claim_workflow_task's
-- answer} is returned; the caller replays and completes the task before committing, saving
-- a job round trip. Otherwise the event waits in the inbox: {"queued": true}.
create function weft.deliver(p_run_id uuid, p_type text, p_attributes jsonb,
    p_inline_queue text, p_after_event_id int) returns jsonb
language plpgsql as $$
begin
  if p_inline_queue is not null then
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

---------------------------------------------------------------------------------------------
-- Public API: start and signal, callable inside the caller's own transaction.

-- A new run with WorkflowStarted in its inbox; the caller enqueues its first workflow task.
create function weft.create_run(
  p_workflow_type text,
  p_args jsonb,
  p_workflow_id text,
  p_task_queue text,
  p_run_id uuid
) returns uuid
language plpgsql as $$
declare
  v_run_id uuid := coalesce(p_run_id, gen_random_uuid());
  v_workflow_id text := coalesce(p_workflow_id, v_run_id::text);
begin
  if not exists (select 1 from weft.workflow_types
                 where task_queue = p_task_queue and workflow_type = p_workflow_type) then
    raise exception 'unknown workflow type "%" on task queue "%"', p_workflow_type, p_task_queue
      using errcode = 'WF001',
            hint = 'Start a worker for this task queue that registers the workflow, or check the spelling.';
  end if;
  perform weft.check_args(p_args, 'workflow arguments');
  begin
    insert into weft.workflow_runs (run_id, workflow_id, workflow_type, task_queue, input)
    values (v_run_id, v_workflow_id, p_workflow_type, p_task_queue, p_args);
  exception when unique_violation then
    raise exception 'workflow id "%" is already running', v_workflow_id
      using errcode = 'WF002', hint = 'Pick another workflow id or wait for the running one to close.';
  end;
  insert into weft.inbox (run_id, type, attributes)
  values (v_run_id, 'WorkflowStarted', jsonb_build_object(
    'workflowType', p_workflow_type, 'workflowId', v_workflow_id,
    'taskQueue', p_task_queue, 'args', p_args));
  return v_run_id;
end $$;

create function weft.start_workflow(
  p_workflow_type text,
  p_args jsonb default '[]',
  p_workflow_id text default null,
  p_task_queue text default 'default',
  p_run_id uuid default null
) returns uuid
language plpgsql as $$
declare
  v_run_id uuid := weft.create_run(p_workflow_type, p_args, p_workflow_id, p_task_queue, p_run_id);
begin
  perform weft.enqueue_workflow_task(v_run_id, p_task_queue);
  return v_run_id;
end $$;

-- Starts several workflows in one transaction (one commit for many starts: how the client
-- sends concurrent start calls). Each start stands alone: a refused one (WF001-WF004, or
-- arguments that are not JSON) reports its error in its slot and leaves the others be.
-- Input: [{"workflowType", "args", "workflowId", "taskQueue"}]; output, in order:
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
        v_queue, null);
      v_out := v_out || jsonb_build_object('runId', v_run_id);
      v_jobs := v_jobs || row('weft/workflow/' || v_queue, json_build_object('r', v_run_id),
        null, null, 25, null, null, null)::graphile_worker.job_spec;
    exception when sqlstate 'WF001' or sqlstate 'WF002' or sqlstate 'WF003' or sqlstate 'WF004'
                   or invalid_text_representation then
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

create function weft.signal_workflow(
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
  -- accepted but unseen: the signal either lands before the task or is refused.
  select * into v_run from weft.workflow_runs
   where workflow_id = p_workflow_id and (p_run_id is null or run_id = p_run_id)
   order by created_at desc limit 1
   for no key update;
  if v_run.run_id is null then
    raise exception 'workflow "%" not found', p_workflow_id
      using errcode = 'WF004', hint = 'Check the workflow id; list runs with weft.workflow_runs.';
  end if;
  if v_run.status <> 'running' then
    raise exception 'workflow "%" is % and takes no signals', p_workflow_id, v_run.status
      using errcode = 'WF004', hint = 'Start a new run to act on this signal.';
  end if;
  perform weft.add_to_inbox(v_run.run_id, 'SignalReceived',
    jsonb_build_object('signalName', p_signal_name, 'args', p_args));
  return v_run.run_id;
end $$;

---------------------------------------------------------------------------------------------
-- Workflow tasks (worker/src/workflow-task). One writer per run: both run under the run's row lock.

-- Locks the run, moves its inbox into history as workflow task number last_task + 1 (plus
-- p_type/p_attributes, an event that arrives with the claim: weft.deliver) and returns the
-- events after p_after_event_id. Null when the run is closed or nothing is new.
create function weft.claim_workflow_task(p_run_id uuid, p_after_event_id int default 0,
    p_type text default null, p_attributes jsonb default null)
returns jsonb
language plpgsql as $$
declare
  v_run weft.workflow_runs;
  v_moved int;
begin
  select * into v_run from weft.workflow_runs where run_id = p_run_id for update;
  if v_run.run_id is null or v_run.status <> 'running' then
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
    update weft.workflow_runs set task_pending = false where run_id = p_run_id;
    return null;
  end if;
  update weft.workflow_runs
     set next_event_id = next_event_id + v_moved, last_task = last_task + 1, task_pending = false
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

create function weft.append_event(p_run weft.workflow_runs, p_event_id int, p_type text,
    p_attributes jsonb) returns void
language sql as $$
  insert into weft.history_events (run_id, event_id, task, type, attributes)
  values (p_run.run_id, p_event_id, p_run.last_task, p_type, p_attributes);
$$;

-- Turns the commands of one workflow task into history events, activity rows and jobs.
-- Command wire format: sdk/src/commands.ts (toWire); event format: docs/history-events.md.
-- With p_eager_worker set, the first new activity on p_eager_queue whose type is in
-- p_eager_types is claimed by that worker instead of enqueued, and its job payload returned:
-- the worker runs it right after commit, saving a job round trip.
-- Returns {"eager": job payload or null, "timers": [[timer id, due epoch ms], ...]}.
create function weft.complete_workflow_task(p_run_id uuid, p_task int, p_commands jsonb,
    p_unhandled_signals jsonb default '[]', p_eager_worker text default null,
    p_eager_queue text default null, p_eager_types text[] default '{}') returns jsonb
language plpgsql as $$
declare
  v_run weft.workflow_runs;
  v_cmd jsonb;
  v_event_id int;
  v_status text := 'running';
  v_attrs jsonb;
  v_eager json;
  a weft.activity_executions;
  v_fire_from timestamptz;
  v_fire_at timestamptz;
  v_timers jsonb := '[]';
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
        perform graphile_worker.add_job('weft/activity/' || a.queue, weft.activity_job(a, 1),
          max_attempts => 25);
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
    when 'CompleteWorkflow' then
      perform weft.check_payload(v_cmd->'result', 'workflow result');
      perform weft.append_event(v_run, v_event_id, 'WorkflowCompleted',
        jsonb_build_object('result', v_cmd->'result'));
      update weft.workflow_runs set status = 'completed', result = v_cmd->'result',
        closed_at = weft.now() where run_id = p_run_id;
      v_status := 'completed';
    when 'FailWorkflow' then
      perform weft.append_event(v_run, v_event_id, 'WorkflowFailed',
        jsonb_build_object('failure', v_cmd->'failure'));
      update weft.workflow_runs set status = 'failed', failure = v_cmd->'failure',
        closed_at = weft.now() where run_id = p_run_id;
      v_status := 'failed';
    else
      raise exception 'unknown command kind "%"', v_cmd->>'kind' using errcode = 'WF003';
    end case;
    v_event_id := v_event_id + 1;
  end loop;
  update weft.workflow_runs
     set next_event_id = v_event_id, task_failure = null, task_failures = 0,
         unhandled_signals = unhandled_signals || p_unhandled_signals
   where run_id = p_run_id;
  if v_status <> 'running' then
    perform pg_notify('weft_run_closed', p_run_id::text);
    delete from weft.timers where run_id = p_run_id;
  end if;
  return jsonb_build_object('eager', v_eager, 'timers', v_timers);
end $$;

-- Records a failed workflow task (its own transaction rolled back, so history is untouched)
-- and retries it with capped exponential backoff.
create function weft.fail_workflow_task(p_run_id uuid, p_failure jsonb) returns void
language plpgsql as $$
declare
  v_run weft.workflow_runs;
begin
  update weft.workflow_runs
     set task_failure = p_failure || jsonb_build_object('at', weft.now()),
         task_failures = task_failures + 1
   where run_id = p_run_id and status = 'running'
  returning * into v_run;
  if v_run.run_id is not null then
    perform weft.enqueue_workflow_task(p_run_id, v_run.task_queue,
      now() + make_interval(secs => least(60, power(2, least(v_run.task_failures, 10) - 1))));
  end if;
end $$;

---------------------------------------------------------------------------------------------
-- Activities (worker/src/activity). An attempt's result counts only while it is current.

-- The job payload of an attempt (worker/src/jobs.ts activityJob).
create function weft.activity_job(a weft.activity_executions, p_attempt int) returns json
language sql stable as $$
  select json_build_object(
    'r', a.run_id, 'a', a.activity_id, 'n', p_attempt, 't', a.activity_type, 'args', a.input,
    'stc', a.start_to_close_ms, 'hb', a.heartbeat_ms,
    'track', (a.start_to_close_ms is not null or a.heartbeat_ms is not null
              or a.schedule_to_start_ms is not null),
    'hd', a.heartbeat_details);
$$;

create function weft.enqueue_activity_attempt(p_run_id uuid, p_activity_id int, p_attempt int,
    p_run_at timestamptz) returns void
language plpgsql as $$
declare
  a weft.activity_executions;
begin
  update weft.activity_executions set claimed_by = null
   where run_id = p_run_id and activity_id = p_activity_id
  returning * into a;
  perform graphile_worker.add_job('weft/activity/' || a.queue, weft.activity_job(a, p_attempt),
    run_at => p_run_at, max_attempts => 25);
  perform weft.wake_at(p_run_at);
end $$;

create function weft.enqueue_activity_timeout(p_run_id uuid, p_activity_id int, p_attempt int,
    p_kind text, p_after_ms int) returns void
language sql as $$
  select graphile_worker.add_job('weft/timeout',
    json_build_object('r', p_run_id, 'a', p_activity_id, 'n', p_attempt, 'k', p_kind),
    run_at => now() + make_interval(secs => p_after_ms / 1000.0),
    job_key => case when p_kind = 'heartbeat'
                    then 'weft/hb/' || p_run_id || '/' || p_activity_id end);
  select weft.wake_at(now() + make_interval(secs => p_after_ms / 1000.0));
$$;

-- Marks an attempt started and arms its start-to-close and heartbeat timeouts.
-- Returns false when the attempt is no longer current (the caller skips it).
create function weft.start_activity_attempt(p_run_id uuid, p_activity_id int, p_attempt int)
returns boolean
language plpgsql as $$
declare
  a weft.activity_executions;
begin
  update weft.activity_executions
     set status = 'started', started_at = weft.now(), heartbeat_at = null
   where run_id = p_run_id and activity_id = p_activity_id and attempt = p_attempt
     and status in ('scheduled', 'started')
  returning * into a;
  if a.run_id is null then
    return false;
  end if;
  if a.start_to_close_ms is not null then
    perform weft.enqueue_activity_timeout(p_run_id, p_activity_id, p_attempt, 'startToClose',
      a.start_to_close_ms);
  end if;
  if a.heartbeat_ms is not null then
    perform weft.enqueue_activity_timeout(p_run_id, p_activity_id, p_attempt, 'heartbeat',
      a.heartbeat_ms);
  end if;
  return true;
end $$;

create function weft.heartbeat_activity(p_run_id uuid, p_activity_id int, p_attempt int,
    p_details jsonb) returns boolean
language plpgsql as $$
declare
  a weft.activity_executions;
begin
  perform weft.check_payload(p_details, 'heartbeat details');
  update weft.activity_executions
     set heartbeat_at = weft.now(), heartbeat_details = p_details
   where run_id = p_run_id and activity_id = p_activity_id and attempt = p_attempt
     and status in ('scheduled', 'started')
  returning * into a;
  if a.run_id is null then
    return false;
  end if;
  if a.heartbeat_ms is not null then
    perform weft.enqueue_activity_timeout(p_run_id, p_activity_id, p_attempt, 'heartbeat',
      a.heartbeat_ms);
  end if;
  return true;
end $$;

-- Commits an attempt's result: {"stale": true} (dropped), or weft.deliver's answer.
create function weft.complete_activity(p_run_id uuid, p_activity_id int, p_attempt int,
    p_result jsonb, p_inline_queue text default null, p_after_event_id int default 0) returns jsonb
language plpgsql as $$
declare
  a weft.activity_executions;
begin
  perform weft.check_payload(p_result, 'activity result');
  update weft.activity_executions
     set status = 'completed', closed_at = weft.now(), claimed_by = null
   where run_id = p_run_id and activity_id = p_activity_id and attempt = p_attempt
     and status in ('scheduled', 'started')
  returning * into a;
  if a.run_id is null then
    return '{"stale": true}';
  end if;
  perform weft.close_activity_timers(a);
  return weft.deliver(p_run_id, 'ActivityCompleted',
    jsonb_build_object('activityId', p_activity_id, 'result', p_result, 'attempt', p_attempt),
    p_inline_queue, p_after_event_id);
end $$;

create function weft.close_activity_timers(a weft.activity_executions) returns void
language sql as $$
  select graphile_worker.remove_job('weft/hb/' || a.run_id || '/' || a.activity_id)
   where a.heartbeat_ms is not null;
$$;

-- Seconds to wait before the attempt after p_attempt, from the policy snapped at scheduling.
create function weft.retry_delay_seconds(p_policy jsonb, p_attempt int) returns float8
language plpgsql immutable as $$
declare
  v_list jsonb := p_policy->'backoffSeconds';
  v_delay float8;
begin
  if jsonb_typeof(v_list) = 'array' and jsonb_array_length(v_list) > 0 then
    return (v_list->>(least(p_attempt, jsonb_array_length(v_list)) - 1))::float8;
  end if;
  v_delay := (p_policy->>'initialIntervalSeconds')::float8
             * power((p_policy->>'backoffCoefficient')::float8, p_attempt - 1);
  if p_policy->>'maximumIntervalSeconds' is not null then
    v_delay := least(v_delay, (p_policy->>'maximumIntervalSeconds')::float8);
  end if;
  return v_delay;
end $$;

-- Ends an attempt with a failure: retries it per the snapped policy or fails the activity.
-- Returns 'retry', 'failed' or 'stale'.
create function weft.fail_activity(p_run_id uuid, p_activity_id int, p_attempt int,
    p_failure jsonb, p_retryable boolean default true) returns text
language plpgsql as $$
declare
  a weft.activity_executions;
  v_max int;
  v_delay float8;
begin
  select * into a from weft.activity_executions
   where run_id = p_run_id and activity_id = p_activity_id and attempt = p_attempt
     and status in ('scheduled', 'started')
   for update;
  if a.run_id is null then
    return 'stale';
  end if;
  perform weft.close_activity_timers(a);
  v_max := coalesce((a.retry_policy->>'maxAttempts')::int, 0);
  if p_retryable
     and coalesce((p_failure->>'nonRetryable')::boolean, false) = false
     and not (a.retry_policy->'nonRetryableErrorTypes' ? coalesce(p_failure->>'type', ''))
     and (v_max <= 0 or p_attempt < v_max) then
    v_delay := weft.retry_delay_seconds(a.retry_policy, p_attempt);
    update weft.activity_executions
       set attempt = p_attempt + 1, status = 'scheduled', last_failure = p_failure,
           attempt_scheduled_at = weft.now() + make_interval(secs => v_delay), started_at = null
     where run_id = p_run_id and activity_id = p_activity_id;
    perform weft.enqueue_activity_attempt(p_run_id, p_activity_id, p_attempt + 1,
      now() + make_interval(secs => v_delay));
    return 'retry';
  end if;
  update weft.activity_executions
     set status = 'failed', last_failure = p_failure, closed_at = weft.now()
   where run_id = p_run_id and activity_id = p_activity_id;
  perform weft.add_to_inbox(p_run_id, 'ActivityFailed', jsonb_build_object(
    'activityId', p_activity_id, 'activityType', a.activity_type, 'attempt', p_attempt,
    'failure', p_failure));
  return 'failed';
end $$;

-- A timeout job fired. Attempt timeouts (startToClose, heartbeat) fail the attempt and may
-- retry; scheduleToStart and scheduleToClose fail the activity.
create function weft.timeout_activity(p_run_id uuid, p_activity_id int, p_attempt int,
    p_kind text) returns text
language plpgsql as $$
declare
  a weft.activity_executions;
  v_ms int;
begin
  select * into a from weft.activity_executions
   where run_id = p_run_id and activity_id = p_activity_id and status in ('scheduled', 'started');
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
-- Timers

-- A timer came due: the first worker to take its row delivers 'TimerFired' (weft.deliver's
-- answer); a timer already fired, being fired, or dropped answers {"gone": true}.
create function weft.fire_timer(p_run_id uuid, p_timer_id text, p_inline_queue text default null,
    p_after_event_id int default 0) returns jsonb
language plpgsql as $$
begin
  -- SKIP LOCKED: a timer another transaction is firing counts as gone (were that one to roll
  -- back, the row stays for the next poll); waiting for it could deadlock two batches.
  delete from weft.timers where (run_id, timer_id) in (
    select run_id, timer_id from weft.timers
     where run_id = p_run_id and timer_id = p_timer_id for update skip locked);
  if not found then
    return '{"gone": true}';
  end if;
  return weft.deliver(p_run_id, 'TimerFired', jsonb_build_object('timerId', p_timer_id),
    p_inline_queue, p_after_event_id);
end $$;

-- Timers of a task queue due within p_within_ms, for workers that did not create them.
create function weft.due_timers(p_task_queue text, p_within_ms int, p_limit int)
returns table (run_id uuid, timer_id text, due_ms bigint)
language sql stable as $$
  select run_id, timer_id, (extract(epoch from due_at) * 1000)::bigint
    from weft.timers
   where task_queue = p_task_queue and due_at <= now() + make_interval(secs => p_within_ms / 1000.0)
   order by due_at
   limit p_limit;
$$;

-- Moves database time forward (tests): weft.now() jumps and pending weft jobs come due sooner.
create function weft.advance_clock(p_ms bigint) returns void
language plpgsql as $$
declare
  j record;
begin
  update weft.clock set offset_ms = offset_ms + p_ms;
  update weft.timers set due_at = greatest(now(), due_at - make_interval(secs => p_ms / 1000.0));
  for j in select id, run_at from graphile_worker.jobs
            where task_identifier like 'weft/%' and locked_at is null and run_at > now() loop
    perform graphile_worker.reschedule_jobs(array[j.id],
      run_at => greatest(now(), j.run_at - make_interval(secs => p_ms / 1000.0)));
  end loop;
end $$;

---------------------------------------------------------------------------------------------
-- Workers: registration, liveness and release of a dead worker's jobs (DESIGN: crash recovery)

-- Records which workflow types a task queue serves (start_workflow refuses others).
create function weft.register_workflow_types(p_task_queue text, p_workflow_types text[]) returns void
language plpgsql as $$
begin
  insert into weft.workflow_types (task_queue, workflow_type)
  select p_task_queue, t from unnest(p_workflow_types) t
  on conflict do nothing;
  -- New code may fix what failed: retry this queue's failed workflow tasks now.
  perform weft.enqueue_workflow_task(run_id, task_queue) from weft.workflow_runs
   where task_queue = p_task_queue and task_failure is not null and status = 'running';
end $$;

-- Heartbeats p_worker_id and releases the jobs of workers silent for p_stale_ms.
-- Returns the ids of the workers it released.
-- Heartbeats p_worker_id (re-registering it if it was presumed dead) and releases the jobs of
-- workers silent for p_stale_ms. Returns the ids of the workers it released.
create function weft.heartbeat_worker(p_worker_id text, p_task_queue text, p_lock_ids text[],
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
create function weft.release_claims(p_worker_id text, p_run_id uuid, p_activity_id int)
returns void
language sql as $$
  select weft.enqueue_activity_attempt(run_id, activity_id, attempt, null)
    from weft.activity_executions
   where claimed_by = p_worker_id and status in ('scheduled', 'started')
     and (p_run_id is null or (run_id = p_run_id and activity_id = p_activity_id));
$$;

create function weft.deregister_worker(p_worker_id text) returns void
language sql as $$
  select weft.release_claims(p_worker_id, null, null);
  delete from weft.workers where worker_id = p_worker_id;
$$;
