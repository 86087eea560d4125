-- weft's SQL API for reading runs: what Client.describe, list, history and result show, as
-- JSON documents (camelCase keys) that sdk/src/client/sql-api.ts parses. They are how a role
-- with no table rights (weft_client, privileges.sql) sees its runs.
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- The statuses a run can have: the check on weft.workflow_runs.status allows exactly these
-- (RUN_STATUSES in sdk/src/run-status.ts; worker/test/contract.test.ts compares all three).
create or replace function weft.run_statuses() returns text[]
language sql immutable as $$
  select array['running', 'completed', 'failed', 'continued_as_new', 'terminated', 'timed_out']
$$;

-- The run a caller names in a namespace: that exact run, or the workflow's newest.
create or replace function weft.find_run(p_workflow_id text, p_run_id uuid, p_namespace text) returns weft.workflow_runs
language plpgsql stable as $$
declare
  v_run weft.workflow_runs;
begin
  perform weft.check_name(p_workflow_id, 'workflow id');
  select * into v_run from weft.workflow_runs
   where namespace = p_namespace and workflow_id = p_workflow_id and (p_run_id is null or run_id = p_run_id)
   order by created_at desc limit 1;
  if v_run.run_id is null then
    raise exception 'workflow "%"% not found%', p_workflow_id, coalesce(' run ' || p_run_id, ''),
      case when p_namespace <> 'default' then ' in namespace "' || p_namespace || '"' else '' end
      using errcode = 'WF004', hint = 'Check the workflow id; weft.list_workflows (Client.list) shows the runs.';
  end if;
  return v_run;
end $$;

-- What a list shows of a run.
create or replace function weft.run_summary(p_run weft.workflow_runs) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'workflowId', p_run.workflow_id, 'runId', p_run.run_id, 'workflowType', p_run.workflow_type,
    'taskQueue', p_run.task_queue, 'status', p_run.status, 'attempt', p_run.attempt,
    'createdAt', p_run.created_at, 'closedAt', p_run.closed_at,
    'searchAttributes', p_run.search_attributes,
    'parent', case when p_run.parent_run_id is not null
                   then jsonb_build_object('workflowId', p_run.parent_workflow_id, 'runId', p_run.parent_run_id) end,
    'nextRunId', p_run.next_run_id)
$$;

-- A run as Client.describe reports it: the summary, its outcome, and what it waits for.
create or replace function weft.describe_workflow(p_workflow_id text, p_run_id uuid default null,
    p_namespace text default 'default') returns jsonb
language plpgsql stable as $$
declare
  v_run weft.workflow_runs := weft.find_run(p_workflow_id, p_run_id, p_namespace);
  v_open boolean := v_run.status = 'running';
begin
  return weft.run_summary(v_run) || jsonb_build_object(
    'continuedFromRunId', v_run.continued_from_run_id,
    'runDeadline', v_run.run_deadline,
    'executionDeadline', v_run.execution_deadline,
    'result', v_run.result,
    'failure', v_run.failure,
    'historyLength', v_run.next_event_id - 1,
    'inboxLength', (select count(*) from weft.inbox i where i.run_id = v_run.run_id),
    'pendingActivities', coalesce((
      select jsonb_agg(jsonb_build_object(
               'activityId', a.activity_id, 'activityType', a.activity_type, 'taskQueue', a.queue,
               'status', a.status, 'attempt', a.attempt, 'scheduledAt', a.scheduled_at,
               'attemptScheduledAt', a.attempt_scheduled_at, 'startedAt', a.started_at,
               'lastHeartbeatAt', a.heartbeat_at, 'heartbeatDetails', a.heartbeat_details,
               'lastFailure', a.last_failure) order by a.activity_id)
        from weft.activity_executions a
       where v_open and a.run_id = v_run.run_id and a.status in ('scheduled', 'started')), '[]'),
    -- Started and not yet fired, as history tells it (a fired timer's event may still be in the inbox).
    'pendingTimers', coalesce((
      select jsonb_agg(jsonb_build_object('timerId', s.attributes->>'timerId', 'fireAt', s.attributes->>'fireAt')
                       order by s.event_id)
        from weft.history_events s
       where v_open and s.run_id = v_run.run_id and s.type = 'TimerStarted'
         and not exists (select from weft.history_events f
                          where f.run_id = v_run.run_id and f.type = 'TimerFired'
                            and f.attributes->>'timerId' = s.attributes->>'timerId')), '[]'),
    'pendingChildren', coalesce((
      select jsonb_agg(jsonb_build_object(
               'childId', c.parent_child_id, 'workflowId', c.workflow_id, 'runId', c.run_id,
               'workflowType', c.workflow_type, 'attempt', c.attempt) order by c.parent_child_id)
        from weft.workflow_runs c
       where c.parent_run_id = v_run.run_id and c.status = 'running'), '[]'),
    'lastWorkflowTaskFailure', v_run.task_failure,
    'workflowTaskFailures', v_run.task_failures,
    'unhandledSignals', v_run.unhandled_signals);
end $$;

-- A run's events after p_after_event_id, in order, at most p_limit of them (null: all).
create or replace function weft.workflow_history(p_workflow_id text, p_run_id uuid default null,
    p_after_event_id int default 0, p_limit int default null, p_namespace text default 'default') returns jsonb
language plpgsql stable as $$
declare
  v_run weft.workflow_runs := weft.find_run(p_workflow_id, p_run_id, p_namespace);
begin
  if p_after_event_id is null or p_after_event_id < 0 then
    raise exception 'after event id must be 0 or more, got %', coalesce(p_after_event_id::text, 'null')
      using errcode = 'WF006';
  end if;
  if p_limit < 1 then
    raise exception 'history page size must be at least 1, got %', p_limit using errcode = 'WF006';
  end if;
  return jsonb_build_object('runId', v_run.run_id, 'events', coalesce((
    -- createdAt in UTC to the millisecond, as JavaScript's toISOString writes it, whatever the
    -- session's TimeZone.
    select jsonb_agg(jsonb_build_object(
             'eventId', e.event_id, 'task', e.task, 'type', e.type, 'attributes', e.attributes,
             'createdAt', to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) order by e.event_id)
      from (select * from weft.history_events
             where run_id = v_run.run_id and event_id > p_after_event_id
             order by event_id limit p_limit) e), '[]'));
end $$;

-- Whether a run is closed and how: what Client.result waits on.
create or replace function weft.run_state(p_run weft.workflow_runs) returns jsonb
language sql stable as $$
  select jsonb_build_object('workflowId', p_run.workflow_id, 'runId', p_run.run_id, 'status', p_run.status,
                            'result', p_run.result, 'failure', p_run.failure, 'nextRunId', p_run.next_run_id)
$$;

create or replace function weft.workflow_state(p_workflow_id text, p_run_id uuid default null,
    p_namespace text default 'default') returns jsonb
language sql stable as $$
  select weft.run_state(weft.find_run(p_workflow_id, p_run_id, p_namespace))
$$;

-- The states of many runs at once (many result() calls woken together); unknown ids are left out.
create or replace function weft.run_states(p_run_ids uuid[]) returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(weft.run_state(r)), '[]') from weft.workflow_runs r where r.run_id = any (p_run_ids)
$$;

-- A filter's text value at p_key, or null when absent; anything but a string is refused.
create or replace function weft.list_filter_text(p_filter jsonb, p_key text) returns text
language plpgsql immutable as $$
begin
  if not p_filter ? p_key then
    return null;
  end if;
  if jsonb_typeof(p_filter->p_key) <> 'string' then
    raise exception 'list filter %: expected a string, got %', p_key, jsonb_typeof(p_filter->p_key)
      using errcode = 'WF006';
  end if;
  return p_filter->>p_key;
end $$;

-- The conditions of a list filter, each a SQL condition on weft.workflow_runs that reads its
-- value from $1 (the filter itself, bound, never spliced in). p_filter's keys, each optional:
-- workflowType, workflowId, status, parentRunId, searchAttributes (runs whose attributes
-- include these). A condition per key present, so each can use its index.
create or replace function weft.list_conditions(p_filter jsonb) returns text[]
language plpgsql immutable as $$
declare
  v_keys constant text[] := array['workflowType', 'workflowId', 'status', 'parentRunId', 'searchAttributes'];
  v_unknown text;
  v_where text[] := array['true'];
begin
  if jsonb_typeof(p_filter) is distinct from 'object' then
    raise exception 'a list filter must be a JSON object, got %', coalesce(jsonb_typeof(p_filter), 'null')
      using errcode = 'WF006', hint = 'Pass {"status": "running"}, or {} for every run.';
  end if;
  select k into v_unknown from jsonb_object_keys(p_filter) k where k <> all (v_keys) limit 1;
  if v_unknown is not null then
    raise exception 'list filter: unknown key "%"', left(v_unknown, 100)
      using errcode = 'WF006', hint = 'The keys are ' || array_to_string(v_keys, ', ') || '.';
  end if;
  if weft.list_filter_text(p_filter, 'workflowType') is not null then
    perform weft.check_name(p_filter->>'workflowType', 'list filter workflowType');
    v_where := v_where || $w$workflow_type = $1->>'workflowType'$w$::text;
  end if;
  if weft.list_filter_text(p_filter, 'workflowId') is not null then
    perform weft.check_name(p_filter->>'workflowId', 'list filter workflowId');
    v_where := v_where || $w$workflow_id = $1->>'workflowId'$w$::text;
  end if;
  if weft.list_filter_text(p_filter, 'status') is not null then
    if not p_filter->>'status' = any (weft.run_statuses()) then
      raise exception 'list filter status: "%" is not a run status', left(p_filter->>'status', 100)
        using errcode = 'WF006', hint = 'The statuses are ' || array_to_string(weft.run_statuses(), ', ') || '.';
    end if;
    v_where := v_where || $w$status = $1->>'status'$w$::text;
  end if;
  if weft.list_filter_text(p_filter, 'parentRunId') is not null then
    if p_filter->>'parentRunId' !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      raise exception 'list filter parentRunId: "%" is not a UUID', left(p_filter->>'parentRunId', 100)
        using errcode = 'WF006';
    end if;
    v_where := v_where || $w$parent_run_id = ($1->>'parentRunId')::uuid$w$::text;
  end if;
  if p_filter ? 'searchAttributes' then
    perform weft.check_search_attributes(p_filter->'searchAttributes');
    v_where := v_where || $w$search_attributes @> ($1->'searchAttributes')$w$::text;
  end if;
  return v_where;
end $$;

-- The namespace's runs matching p_filter (weft.list_conditions), newest first, a page of
-- p_limit (1-1000) after the run (p_after_created_at, p_after_run_id): {runs, next}, where
-- next is the position to pass for the following page, null on the last.
create or replace function weft.list_workflows(p_filter jsonb default '{}', p_limit int default 100,
    p_after_created_at timestamptz default null, p_after_run_id uuid default null,
    p_namespace text default 'default') returns jsonb
language plpgsql stable as $$
declare
  v_where text[] := weft.list_conditions(p_filter) || 'namespace = $4'::text;
  v_rows weft.workflow_runs[];
  v_last weft.workflow_runs;
begin
  if p_limit is null or p_limit not between 1 and 1000 then
    raise exception 'list page size must be 1 to 1000, got %', coalesce(p_limit::text, 'null') using errcode = 'WF006';
  end if;
  if (p_after_created_at is null) <> (p_after_run_id is null) then
    raise exception 'a list position needs both its created_at and its run id' using errcode = 'WF006';
  end if;
  if p_after_run_id is not null then
    v_where := v_where || '(created_at, run_id) < ($2, $3)'::text;
  end if;
  execute format('select array(select r from weft.workflow_runs r where %s
                                order by created_at desc, run_id desc limit %s)',
                 array_to_string(v_where, ' and '), p_limit + 1)
     into v_rows using p_filter, p_after_created_at, p_after_run_id, p_namespace;
  if cardinality(v_rows) > p_limit then
    v_last := v_rows[p_limit];
  end if;
  return jsonb_build_object(
    'runs', coalesce((select jsonb_agg(weft.run_summary(v_rows[i]) order by i)
                        from generate_subscripts(v_rows, 1) i where i <= p_limit), '[]'),
    -- created_at as UTC text with its microseconds: a JSON timestamp would round-trip through a
    -- JavaScript Date, which keeps milliseconds, and skip or repeat runs at a page boundary.
    'next', case when v_last.run_id is not null then jsonb_build_object(
              'createdAt', to_char(v_last.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
              'runId', v_last.run_id) end);
end $$;

-- How many of the namespace's runs match p_filter (weft.list_conditions): {count, groups},
-- groups being [{status, count}] by status when p_group_by is 'status' (largest first), else [].
create or replace function weft.count_workflows(p_filter jsonb default '{}', p_group_by text default null,
    p_namespace text default 'default') returns jsonb
language plpgsql stable as $$
declare
  v_where text := array_to_string(weft.list_conditions(p_filter) || 'namespace = $2'::text, ' and ');
  v_groups jsonb;
begin
  if p_group_by is not null and p_group_by <> 'status' then
    raise exception 'runs can be counted by status only, not by "%"', left(p_group_by, 100) using errcode = 'WF006';
  end if;
  execute format('select coalesce(jsonb_agg(jsonb_build_object(''status'', status, ''count'', n)
                                            order by n desc, status), ''[]'')
                    from (select status, count(*) as n from weft.workflow_runs where %s group by status) g', v_where)
     into v_groups using p_filter, p_namespace;
  return jsonb_build_object(
    'count', (select coalesce(sum((g->>'count')::bigint), 0) from jsonb_array_elements(v_groups) g),
    'groups', case when p_group_by = 'status' then v_groups else '[]'::jsonb end);
end $$;
