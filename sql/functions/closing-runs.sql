-- weft's SQL API: how runs end and carry on: completion, failure and its retry,
-- continue-as-new, termination, timeouts, and the parent close policy.
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- Everything a run's close implies, for a run locked by the caller: status, the waiters'
-- NOTIFY, its timers, the parent's ChildWorkflowCompleted/Failed (unless p_next_run_id carries
-- the workflow on), and a job that applies the parent close policy to its open children
-- (a job, not here: locking children while holding this run could deadlock with a child
-- closing itself, which holds its own row).
create or replace function weft.close_run(p_run weft.workflow_runs, p_status text, p_result jsonb,
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
create or replace function weft.close_run_from_outside(p_run weft.workflow_runs, p_type text,
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
create or replace function weft.terminate_run(p_run weft.workflow_runs, p_reason text, p_message text)
returns void
language sql as $$
  select weft.close_run_from_outside(p_run, 'WorkflowTerminated',
    jsonb_build_object('reason', p_reason), 'terminated',
    jsonb_build_object('name', 'TerminatedFailure', 'type', 'TerminatedFailure', 'message', p_message));
$$;

-- The 'weft/run-timeout' job: times the run out if its run or execution deadline has passed
-- (and it is still open); a job that ran early re-enqueues itself for the deadline.
create or replace function weft.timeout_run(p_run_id uuid) returns void
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
create or replace function weft.apply_parent_close_policy(p_run_id uuid) returns void
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
create or replace function weft.run_retry_delay(p_run weft.workflow_runs, p_failure jsonb) returns float8
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
create or replace function weft.create_next_run(p_run weft.workflow_runs, p_continue jsonb,
    p_delay float8 default 0) returns uuid
language plpgsql as $$
declare
  v_queue text := coalesce(p_continue->>'taskQueue', p_run.task_queue);
  v_run_id uuid;
  v_options jsonb;
begin
  v_options := jsonb_build_object(
    'namespace', p_run.namespace,
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
