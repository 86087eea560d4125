-- weft.fail_workflow_task takes p_poison (sql/functions/workflow-tasks.sql): a task that fails on
-- an event it cannot decode fails the run after a few tries. Its two-argument form goes, so that
-- a call with two arguments finds the new one (p_poison defaults to false). If exists: a fresh
-- install has no functions yet when migrations run.
drop function if exists weft.fail_workflow_task(uuid, jsonb);
