-- weft's SQL API: workflow tasks (worker/src/workflow-task). One writer per run:
-- a task holds the run's row lock from its claim to its commit.
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- Locks the run, moves its inbox into history as workflow task number last_task + 1 (plus
-- p_type/p_attributes, an event that arrives with the claim: weft.deliver) and returns the
-- events after p_after_event_id. Null when the run is closed or nothing is new; then the
-- run's task request is released.
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

create or replace function weft.append_event(p_run weft.workflow_runs, p_event_id int, p_type text,
    p_attributes jsonb) returns void
language sql as $$
  insert into weft.history_events (run_id, event_id, task, type, attributes)
  values (p_run.run_id, p_event_id, p_run.last_task, p_type, p_attributes);
$$;

-- Starts a child workflow for a StartChildWorkflow command of p_run's task and returns the
-- ChildWorkflowScheduled attributes. A child that cannot start (unknown type, id already
-- running, bad arguments) gets a null runId and a ChildWorkflowFailed in the parent's inbox.
create or replace function weft.start_child(p_run weft.workflow_runs, p_cmd jsonb) returns jsonb
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
        'namespace', p_run.namespace, -- a child is in its parent's namespace
        'parentRunId', p_run.run_id, 'parentWorkflowId', p_run.workflow_id,
        'parentChildId', (p_cmd->>'childId')::int, 'parentClosePolicy', p_cmd->>'parentClosePolicy',
        'retryPolicy', p_cmd->'retryPolicy', 'runTimeoutMs', p_cmd->'runTimeoutMs',
        'executionTimeoutMs', p_cmd->'executionTimeoutMs'));
    perform weft.enqueue_workflow_task(v_child, p_cmd->>'taskQueue');
  exception when sqlstate 'WF001' or sqlstate 'WF002' or sqlstate 'WF003' or sqlstate 'WF006'
                 or invalid_text_representation then
    get stacked diagnostics v_code = returned_sqlstate, v_message = message_text;
    perform weft.add_to_inbox(p_run.run_id, 'ChildWorkflowFailed', jsonb_build_object(
      'childId', (p_cmd->>'childId')::int, 'workflowType', p_cmd->>'workflowType',
      'workflowId', p_cmd->>'workflowId', 'runId', null,
      'failure', jsonb_build_object('name', 'ApplicationFailure', 'nonRetryable', true,
        'type', case v_code when 'WF001' then 'UnknownWorkflowType'
                            when 'WF002' then 'WorkflowAlreadyRunning'
                            when 'WF006' then 'InvalidArgument' else 'PayloadError' end,
        'message', 'the child workflow could not start: ' || v_message)));
  end;
  return v_attrs || jsonb_build_object('runId', v_child);
end $$;

-- Turns the commands of one workflow task into history events, activity rows, child runs and
-- jobs. Command wire format: the zod schemas of sdk/src/wire.ts, which the worker parses every
-- command with and worker/test/contract.test.ts checks these branches against; event format:
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
        v_cmd->'args', weft.retry_policy(v_cmd->'retryPolicy'),
        weft.timeout_ms(v_cmd->'startToCloseMs', 'activity startToClose timeout'),
        weft.timeout_ms(v_cmd->'scheduleToStartMs', 'activity scheduleToStart timeout'),
        weft.timeout_ms(v_cmd->'scheduleToCloseMs', 'activity scheduleToClose timeout'),
        weft.timeout_ms(v_cmd->'heartbeatMs', 'activity heartbeat timeout'),
        case when v_eager is null and v_cmd->>'queue' = p_eager_queue
                  and v_cmd->>'activityType' = any(p_eager_types) then p_eager_worker end)
      returning * into a;
      if a.claimed_by is not null then
        v_eager := weft.activity_job(a, 1);
      else
        v_jobs := v_jobs || row(weft.task_identifier('activity', v_run.namespace, a.queue), weft.activity_job(a, 1),
          null, null, 25, null, null, null)::graphile_worker.job_spec;
      end if;
      if a.schedule_to_start_ms is not null then
        perform weft.enqueue_activity_timeout(p_run_id, a.activity_id, 1, 'scheduleToStart', a.schedule_to_start_ms);
      end if;
      if a.schedule_to_close_ms is not null then
        perform weft.enqueue_activity_timeout(p_run_id, a.activity_id, 1, 'scheduleToClose', a.schedule_to_close_ms);
      end if;
    when 'StartTimer' then
      -- A timer counts from the arrival of what the workflow reacted to (the task's newest
      -- incoming event), so a backlog of workflow tasks does not stretch it.
      perform weft.check_number(v_cmd->'seconds', 'timer seconds', 0, weft.max_duration_seconds(), true);
      v_fire_at := coalesce(v_fire_from, weft.now()) + make_interval(secs => (v_cmd->>'seconds')::float8);
      perform weft.append_event(v_run, v_event_id, 'TimerStarted', jsonb_build_object(
        'timerId', v_cmd->>'timerId', 'seconds', (v_cmd->>'seconds')::bigint, 'fireAt', v_fire_at));
      -- due_at is on the real clock; weft.now() may be ahead of it in tests
      insert into weft.timers (run_id, timer_id, namespace, task_queue, due_at)
      values (p_run_id, v_cmd->>'timerId', v_run.namespace, v_run.task_queue, v_fire_at - (weft.now() - now()));
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

-- Failed workflow tasks in a row after which a poison one fails the run (the README's limits
-- and UndecodableEventError's comment in sdk/src/errors.ts say 5 too).
create or replace function weft.poison_task_attempts() returns int
language sql immutable as $$ select 5 $$;

-- Records a failed workflow task (its own transaction rolled back, so history is untouched)
-- and retries it with capped exponential backoff. p_poison: the task failed on an event it
-- cannot decode (worker/src/workflow-task/run-workflow-task.ts), which no retry or deploy
-- fixes; the task's weft.poison_task_attempts()-th failure in a row fails the run with it,
-- not retried by the run's retry policy.
create or replace function weft.fail_workflow_task(p_run_id uuid, p_failure jsonb,
    p_poison boolean default false) returns void
language plpgsql as $$
declare
  v_run weft.workflow_runs;
  v_failure jsonb;
begin
  update weft.workflow_runs
     set task_failure = p_failure || jsonb_build_object('at', weft.now()),
         task_failures = task_failures + 1
   where run_id = p_run_id and status = 'running'
  returning * into v_run;
  if v_run.run_id is null then
    return;
  end if;
  if p_poison and v_run.task_failures >= weft.poison_task_attempts() then
    v_failure := p_failure || jsonb_build_object('nonRetryable', true, 'message',
      format('its workflow task failed %s times in a row: %s', v_run.task_failures, p_failure->>'message'));
    perform weft.close_run_from_outside(v_run, 'WorkflowFailed',
      jsonb_build_object('failure', v_failure, 'nextRunId', null), 'failed', v_failure);
    return;
  end if;
  perform weft.enqueue_workflow_task(p_run_id, v_run.task_queue,
    now() + make_interval(secs => least(60, power(2, least(v_run.task_failures, 10) - 1))));
end $$;
