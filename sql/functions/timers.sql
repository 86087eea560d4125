-- weft's SQL API: workflow timers (table weft.timers) and the test clock.
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- A timer came due: the first worker to take its row delivers 'TimerFired' (weft.deliver's
-- answer). A timer already fired, being fired, or dropped answers {"gone": true}; one not yet
-- due (a worker's clock ahead of the database's, or a caller that is wrong) stays, answering
-- {"dueInMs": n}: a timer never fires early, whoever asks.
create or replace function weft.fire_timer(p_run_id uuid, p_timer_id text, p_inline_queue text default null,
    p_after_event_id int default 0, p_inline_namespace text default 'default') returns jsonb
language plpgsql as $$
declare
  v_due_at timestamptz;
begin
  -- SKIP LOCKED: a timer another transaction is firing counts as gone (were that one to roll
  -- back, the row stays for the next poll); waiting for it could deadlock two batches.
  select due_at into v_due_at from weft.timers
   where run_id = p_run_id and timer_id = p_timer_id for update skip locked;
  if not found then
    return '{"gone": true}';
  end if;
  if v_due_at > clock_timestamp() then
    return jsonb_build_object('dueInMs', ceil(extract(epoch from v_due_at - clock_timestamp()) * 1000)::bigint);
  end if;
  delete from weft.timers where run_id = p_run_id and timer_id = p_timer_id;
  return weft.deliver(p_run_id, 'TimerFired', jsonb_build_object('timerId', p_timer_id),
    p_inline_queue, p_after_event_id, p_inline_namespace);
end $$;

-- Timers of a namespace's task queue due within p_within_ms, for workers that did not create them.
create or replace function weft.due_timers(p_task_queue text, p_within_ms int, p_limit int,
    p_namespace text default 'default')
returns table (run_id uuid, timer_id text, due_ms bigint)
language sql stable as $$
  select run_id, timer_id, (extract(epoch from due_at) * 1000)::bigint
    from weft.timers
   where namespace = p_namespace and task_queue = p_task_queue
     and due_at <= now() + make_interval(secs => p_within_ms / 1000.0)
   order by due_at
   limit p_limit;
$$;

-- Moves database time forward (tests): weft.now() jumps and pending weft jobs come due sooner.
create or replace function weft.advance_clock(p_ms bigint) returns void
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
