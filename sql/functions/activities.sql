-- weft's SQL API: activity attempts (worker/src/activity). An attempt's result
-- counts only while the attempt is current; a stale one is dropped.
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- Marks an attempt started and arms its start-to-close and heartbeat timeouts.
-- Returns false when the attempt is no longer current (the caller skips it).
create or replace function weft.start_activity_attempt(p_run_id uuid, p_activity_id int, p_attempt int)
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

create or replace function weft.heartbeat_activity(p_run_id uuid, p_activity_id int, p_attempt int,
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
create or replace function weft.complete_activity(p_run_id uuid, p_activity_id int, p_attempt int,
    p_result jsonb, p_inline_queue text default null, p_after_event_id int default 0,
    p_inline_namespace text default 'default') returns jsonb
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
    p_inline_queue, p_after_event_id, p_inline_namespace);
end $$;

create or replace function weft.close_activity_timers(a weft.activity_executions) returns void
language sql as $$
  select graphile_worker.remove_job('weft/hb/' || a.run_id || '/' || a.activity_id)
   where a.heartbeat_ms is not null;
$$;

-- Ends an attempt with a failure: retries it per the snapped policy or fails the activity.
-- Returns 'retry', 'failed' or 'stale'.
create or replace function weft.fail_activity(p_run_id uuid, p_activity_id int, p_attempt int,
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
-- retry; scheduleToStart and scheduleToClose fail the activity. The row is locked before its
-- attempt is read: an attempt failing concurrently could otherwise move it on in between, and
-- a schedule-to-close timeout of an activity retrying without limit would be found stale.
create or replace function weft.timeout_activity(p_run_id uuid, p_activity_id int, p_attempt int,
    p_kind text) returns text
language plpgsql as $$
declare
  a weft.activity_executions;
  v_ms bigint;
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
