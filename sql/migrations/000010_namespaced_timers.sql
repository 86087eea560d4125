-- Timers are found by their namespace's task queue (weft.due_timers) on an index of their own:
-- another namespace's backlog on a queue of the same name is never read.
alter table weft.timers add column namespace text not null default 'default';
update weft.timers t set namespace = r.namespace
  from weft.workflow_runs r where r.run_id = t.run_id and r.namespace <> 'default';
drop index weft.timers_due;
create index timers_due on weft.timers (namespace, task_queue, due_at);

-- These now take the worker's namespace last (p_inline_namespace default 'default'): an event
-- runs a workflow task inline only for a worker of the run's own namespace.
drop function if exists weft.complete_activity(uuid, int, int, jsonb, text, int);
drop function if exists weft.fire_timer(uuid, text, text, int);
drop function if exists weft.deliver(uuid, text, jsonb, text, int);
