-- Finds the closed runs a namespace's retention has expired (weft.delete_expired_runs).
create index workflow_runs_closed on weft.workflow_runs (namespace, closed_at) where status <> 'running';
