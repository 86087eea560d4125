-- weft's SQL API: start, signal and terminate, callable inside the caller's own
-- transaction: nothing happens unless it commits. Error codes: docs/errors.md.
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- A new run with WorkflowStarted in its inbox; the caller enqueues its first workflow task.
-- p_options (all optional): searchAttributes, retryPolicy, runTimeoutMs, executionTimeoutMs,
-- and, set by weft itself, namespace (default 'default'), attempt, startDelayMs (a retry's backoff: the run timeout counts
-- from after it), executionDeadline, continuedFromRunId, parentRunId, parentWorkflowId,
-- parentChildId, parentClosePolicy.
create or replace function weft.create_run(
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
  v_namespace text := coalesce(o->>'namespace', 'default');
  v_search jsonb := coalesce(o->'searchAttributes', '{}');
  v_run_timeout_ms bigint := weft.timeout_option(o, 'runTimeoutMs');
  v_execution_deadline timestamptz := coalesce((o->>'executionDeadline')::timestamptz,
    weft.now() + make_interval(secs => weft.timeout_option(o, 'executionTimeoutMs') / 1000.0));
  v_run_deadline timestamptz := least(v_execution_deadline, weft.now()
    + make_interval(secs => (coalesce((o->>'startDelayMs')::float8, 0) + v_run_timeout_ms) / 1000.0));
  v_started jsonb;
begin
  perform weft.check_name(p_workflow_type, 'workflow type');
  perform weft.check_name(v_workflow_id, 'workflow id');
  perform weft.check_name(p_task_queue, 'task queue');
  if not exists (select 1 from weft.workflow_types
                 where namespace = v_namespace and task_queue = p_task_queue and workflow_type = p_workflow_type) then
    raise exception 'unknown workflow type "%" on task queue "%"%', p_workflow_type, p_task_queue,
      case when v_namespace <> 'default' then ' in namespace "' || v_namespace || '"' else '' end
      using errcode = 'WF001',
            hint = 'Start a worker for this task queue that registers the workflow, or check the spelling.';
  end if;
  perform weft.check_args(p_args, 'workflow arguments');
  perform weft.check_search_attributes(v_search);
  v_search := jsonb_strip_nulls(v_search);
  begin
    insert into weft.workflow_runs (run_id, namespace, workflow_id, workflow_type, task_queue, input,
      attempt, retry_policy, parent_run_id, parent_workflow_id, parent_child_id, parent_close_policy,
      continued_from_run_id, run_timeout_ms, run_deadline, execution_deadline, search_attributes)
    values (v_run_id, v_namespace, v_workflow_id, p_workflow_type, p_task_queue, p_args,
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
create or replace function weft.start_options(p_options jsonb) returns jsonb
language sql immutable as $$
  select coalesce(jsonb_object_agg(key, value), '{}') from jsonb_each(coalesce(p_options, '{}'))
   where key in ('searchAttributes', 'retryPolicy', 'runTimeoutMs', 'executionTimeoutMs');
$$;

-- p_options: {"searchAttributes": {...}, "retryPolicy": {...}, "runTimeoutMs": n,
-- "executionTimeoutMs": n}, all optional.
create or replace function weft.start_workflow(
  p_workflow_type text,
  p_args jsonb default '[]',
  p_workflow_id text default null,
  p_task_queue text default 'default',
  p_run_id uuid default null,
  p_options jsonb default null,
  p_namespace text default 'default'
) returns uuid
language plpgsql as $$
declare
  v_run_id uuid;
begin
  perform weft.check_namespace(p_namespace);
  v_run_id := weft.create_run(p_workflow_type, p_args, p_workflow_id, p_task_queue, p_run_id,
    weft.start_options(p_options) || jsonb_build_object('namespace', p_namespace));
  perform weft.enqueue_workflow_task(v_run_id, p_task_queue);
  return v_run_id;
end $$;

-- Starts several workflows in one transaction (one commit for many starts: how the client
-- sends concurrent start calls). Each start stands alone: a refused one (WF001-WF006, or
-- arguments that are not JSON) reports its error in its slot and leaves the others be.
-- Input: [{"workflowType", "args", "workflowId", "taskQueue", "options", "namespace"}]; output, in order:
-- [{"runId"} | {"error": {"code", "message", "hint"}}].
create or replace function weft.start_workflows(p_starts jsonb) returns jsonb
language plpgsql as $$
declare
  v_start jsonb;
  v_out jsonb := '[]';
  v_jobs graphile_worker.job_spec[] := '{}';
  v_run_id uuid;
  v_queue text;
  v_namespace text;
  v_code text;
  v_message text;
  v_hint text;
begin
  for v_start in select value from jsonb_array_elements(p_starts) loop
    begin
      v_queue := coalesce(v_start->>'taskQueue', 'default');
      v_namespace := coalesce(v_start->>'namespace', 'default');
      perform weft.check_namespace(v_namespace);
      v_run_id := weft.create_run(v_start->>'workflowType', v_start->'args', v_start->>'workflowId',
        v_queue, null, weft.start_options(v_start->'options') || jsonb_build_object('namespace', v_namespace));
      v_out := v_out || jsonb_build_object('runId', v_run_id);
      v_jobs := v_jobs || row(weft.task_identifier('workflow', v_namespace, v_queue), json_build_object('r', v_run_id),
        null, null, weft.workflow_task_max_attempts(), null, null, null)::graphile_worker.job_spec;
    exception when sqlstate 'WF001' or sqlstate 'WF002' or sqlstate 'WF003' or sqlstate 'WF004' or sqlstate 'WF006'
                   or sqlstate 'WF007' or invalid_text_representation or invalid_datetime_format then
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
create or replace function weft.lock_open_run(p_workflow_id text, p_run_id uuid, p_namespace text) returns weft.workflow_runs
language plpgsql as $$
declare
  v_run weft.workflow_runs;
begin
  select * into v_run from weft.workflow_runs
   where namespace = p_namespace and workflow_id = p_workflow_id and (p_run_id is null or run_id = p_run_id)
   order by created_at desc limit 1
   for update;
  while v_run.next_run_id is not null and p_run_id is null loop
    select * into v_run from weft.workflow_runs where run_id = v_run.next_run_id for update;
  end loop;
  if v_run.run_id is null then
    perform weft.check_namespace(p_namespace); -- WF007 for a namespace that does not exist
    raise exception 'workflow "%" not found%', p_workflow_id,
      case when p_namespace <> 'default' then ' in namespace "' || p_namespace || '"' else '' end
      using errcode = 'WF004', hint = 'Check the workflow id; list runs with Client.list or weft.list_workflows.';
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
  p_run_id uuid default null,
  p_namespace text default 'default'
) returns uuid
language plpgsql as $$
declare
  v_run weft.workflow_runs;
begin
  perform weft.check_name(p_workflow_id, 'workflow id');
  perform weft.check_name(p_signal_name, 'signal name');
  perform weft.check_args(p_args, 'signal arguments');
  -- The lock waits out a workflow task holding the run, so a run never closes with a signal
  -- accepted but unseen: the signal either lands before the task or follows to the next run.
  v_run := weft.lock_open_run(p_workflow_id, p_run_id, p_namespace);
  perform weft.add_to_inbox(v_run.run_id, 'SignalReceived',
    jsonb_build_object('signalName', p_signal_name, 'args', p_args));
  return v_run.run_id;
end $$;

-- Ends a workflow's open run now, whatever it is doing. Its activities' results are dropped;
-- its parent, if any, sees a ChildWorkflowFailure caused by a TerminatedFailure.
create or replace function weft.terminate_workflow(p_workflow_id text, p_reason text default 'terminated',
    p_run_id uuid default null, p_namespace text default 'default') returns uuid
language plpgsql as $$
declare
  v_reason text := coalesce(p_reason, 'terminated');
  v_run weft.workflow_runs;
begin
  perform weft.check_name(p_workflow_id, 'workflow id');
  perform weft.check_text(v_reason, 'termination reason', 4096);
  v_run := weft.lock_open_run(p_workflow_id, p_run_id, p_namespace);
  perform weft.terminate_run(v_run, v_reason, v_reason);
  return v_run.run_id;
end $$;
