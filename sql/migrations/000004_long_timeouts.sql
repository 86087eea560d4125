-- Activity timeouts in ms up to ten years (README: limits) do not fit int, whose 24.8 days
-- once turned a long timeout into an error that failed its workflow task forever.
alter table weft.activity_executions
  alter column start_to_close_ms type bigint,
  alter column schedule_to_start_ms type bigint,
  alter column schedule_to_close_ms type bigint,
  alter column heartbeat_ms type bigint;

-- Now takes p_after_ms bigint (sql/functions/jobs.sql). If exists: a fresh install has no
-- functions yet when migrations run.
drop function if exists weft.enqueue_activity_timeout(uuid, int, int, text, int);
