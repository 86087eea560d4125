-- weft's SQL API: the run's inbox and the wake-up protocol. An inbox writer holds the
-- run's request lock in shared mode (many writers at once) and inserts a weft.task_requests
-- row, enqueueing a workflow-task job only when it created the row. A workflow task, at its
-- end, takes that lock exclusively (waiting for writers in flight, who may have relied on the
-- request), deletes the request and requests again if the inbox has events by then. A writer
-- never locks the run's row, so a fan-in's results do not queue behind its workflow task.
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

-- The run's request lock: an advisory lock in weft's own key space (classid 'weft').
create or replace function weft.lock_task_request(p_run_id uuid, p_exclusive boolean) returns void
language plpgsql as $$
begin
  if p_exclusive then
    perform pg_advisory_xact_lock(2003134068, hashtext(p_run_id::text));
  else
    perform pg_advisory_xact_lock_shared(2003134068, hashtext(p_run_id::text));
  end if;
end $$;

-- Makes sure a workflow task will take what is in the run's inbox.
create or replace function weft.request_workflow_task(p_run_id uuid, p_task_queue text) returns void
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
create or replace function weft.release_task_request(p_run_id uuid) returns void
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

-- Like add_to_inbox, for a worker that can run the run's workflow task itself: when p_inline_queue is the run's task queue and its lock is
-- free, the event goes straight into a new workflow task, claimed in this transaction, and
-- {"claim": weft.claim_workflow_task's answer} is returned; the caller replays and completes
-- the task before committing, saving a job round trip. Otherwise the event waits in the
-- inbox: {"queued": true}.
create or replace function weft.deliver(p_run_id uuid, p_type text, p_attributes jsonb,
    p_inline_queue text, p_after_event_id int, p_inline_namespace text default 'default') returns jsonb
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
         and namespace = p_inline_namespace -- a worker runs only its own namespace's code
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
