-- weft 0.1 stored retry policies unchecked (unknown fields, a fractional maxAttempts, strings,
-- values out of range), which weft.retry_policy now refuses and the retry functions cannot
-- read: such a run failed its workflow task forever when it retried or continued as new, and
-- such an activity made weft.fail_activity raise. The policies of open runs and activities
-- are rewritten once into ones those functions take (sql/functions/inputs.sql: the limits):
-- unknown fields dropped; maxAttempts rounded up (attempt >= 1.5 stopped after two) and
-- clamped to int; numbers clamped into their ranges; anything else back to its default (an
-- activity's absent maxAttempts meant no limit, a run's meant 3). 315360000 s is ten years
-- (weft.max_duration_seconds(), which is not defined yet when this runs on a 0.1 database).
create function pg_temp.clamp(p_value jsonb, p_min numeric, p_max numeric) returns numeric
language sql immutable as $$
  select case when jsonb_typeof(p_value) = 'number'
              then greatest(p_min, least(p_max, (p_value #>> '{}')::numeric)) end;
$$;

create function pg_temp.legacy_retry_policy(p jsonb, p_default_max_attempts int) returns jsonb
language sql immutable as $$
  select jsonb_build_object(
    'maxAttempts', coalesce(ceil(pg_temp.clamp(p->'maxAttempts', -2147483648, 2147483647)), p_default_max_attempts),
    'initialIntervalSeconds', coalesce(pg_temp.clamp(p->'initialIntervalSeconds', 0, 315360000), 1),
    'backoffCoefficient', coalesce(pg_temp.clamp(p->'backoffCoefficient', 1, 100), 2),
    'maximumIntervalSeconds', pg_temp.clamp(p->'maximumIntervalSeconds', 0, 315360000),
    'nonRetryableErrorTypes', coalesce((
      select jsonb_agg(e order by i) from jsonb_array_elements(
        case when jsonb_typeof(p->'nonRetryableErrorTypes') = 'array' then p->'nonRetryableErrorTypes' end
      ) with ordinality as t(e, i)
       where jsonb_typeof(e) = 'string' and length(e #>> '{}') <= 255 and i <= 100), '[]'),
    'backoffSeconds', (
      select jsonb_agg(pg_temp.clamp(e, 0, 315360000) order by i) from jsonb_array_elements(
        case when jsonb_typeof(p->'backoffSeconds') = 'array' then p->'backoffSeconds' end
      ) with ordinality as t(e, i)
       where jsonb_typeof(e) = 'number' and i <= 100));
$$;

update weft.workflow_runs set retry_policy = pg_temp.legacy_retry_policy(retry_policy, 3)
 where status = 'running' and jsonb_typeof(retry_policy) = 'object';

update weft.activity_executions set retry_policy = pg_temp.legacy_retry_policy(retry_policy, 0)
 where status in ('scheduled', 'started') and jsonb_typeof(retry_policy) = 'object';

drop function pg_temp.legacy_retry_policy(jsonb, int);
drop function pg_temp.clamp(jsonb, numeric, numeric);
