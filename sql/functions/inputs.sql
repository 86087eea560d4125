-- weft's SQL API: checks and defaults for what callers pass in (payloads, search
-- attributes, timeouts, retry policies). Error codes: docs/errors.md.
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

create or replace function weft.max_payload_bytes() returns int
language sql immutable as $$ select 2 * 1024 * 1024 $$;

create or replace function weft.check_payload(p_payload jsonb, p_what text) returns void
language plpgsql immutable as $$
begin
  if octet_length(p_payload::text) > weft.max_payload_bytes() then
    raise exception '% is % bytes, over the limit of % bytes', p_what,
      octet_length(p_payload::text), weft.max_payload_bytes()
      using errcode = 'WF003', hint = 'Pass a reference (a row id, an object key) instead of the data itself.';
  end if;
end $$;

create or replace function weft.check_args(p_args jsonb, p_what text) returns void
language plpgsql immutable as $$
begin
  if p_args is null or jsonb_typeof(p_args) <> 'array' then
    raise exception '% must be a JSON array of arguments, got %', p_what,
      coalesce(jsonb_typeof(p_args), 'null')
      using errcode = 'WF003', hint = 'Wrap a single argument in an array: ''[42]''::jsonb.';
  end if;
  perform weft.check_payload(p_args, p_what);
end $$;

create or replace function weft.check_search_attributes(p_attributes jsonb) returns void
language plpgsql immutable as $$
declare
  v_key text;
  v_value jsonb;
begin
  if jsonb_typeof(p_attributes) is distinct from 'object' then
    raise exception 'search attributes must be a JSON object, got %', coalesce(jsonb_typeof(p_attributes), 'null')
      using errcode = 'WF003', hint = 'Pass {"customer": "acme"}.';
  end if;
  for v_key, v_value in select key, value from jsonb_each(p_attributes) loop
    if v_key !~ '^[A-Za-z_][A-Za-z0-9_]{0,63}$' then
      raise exception 'search attribute key "%" is not a name', v_key
        using errcode = 'WF003', hint = 'Use a letter or _ followed by up to 63 letters, digits or _.';
    end if;
    if jsonb_typeof(v_value) not in ('string', 'number', 'boolean', 'null')
       and not (jsonb_typeof(v_value) = 'array'
                and not exists (select 1 from jsonb_array_elements(v_value) e where jsonb_typeof(e) <> 'string')) then
      raise exception 'search attribute "%" is a %', v_key, jsonb_typeof(v_value)
        using errcode = 'WF003', hint = 'Values are strings, numbers, booleans, arrays of strings, or null.';
    end if;
  end loop;
end $$;

-- A timeout option in ms (null when absent): a positive number up to ten years.
create or replace function weft.timeout_option(p_options jsonb, p_key text) returns bigint
language plpgsql immutable as $$
declare
  v jsonb := p_options->p_key;
begin
  if v is null or jsonb_typeof(v) = 'null' then
    return null;
  end if;
  if jsonb_typeof(v) <> 'number' or v::text::numeric <= 0 or v::text::numeric > 315360000000 then
    raise exception '% must be a number of milliseconds between 1 and ten years, got %', p_key, v
      using errcode = 'WF003';
  end if;
  return ceil(v::text::numeric)::bigint;
end $$;

-- A retry policy as snapped onto a run: the seed's defaults under what the caller gave.
create or replace function weft.retry_policy(p_policy jsonb) returns jsonb
language plpgsql immutable as $$
begin
  if p_policy is null or jsonb_typeof(p_policy) = 'null' then
    return null;
  end if;
  if jsonb_typeof(p_policy) <> 'object' then
    raise exception 'a retry policy must be a JSON object' using errcode = 'WF003';
  end if;
  return '{"maxAttempts": 3, "initialIntervalSeconds": 1, "backoffCoefficient": 2,
           "maximumIntervalSeconds": null, "nonRetryableErrorTypes": [], "backoffSeconds": null}'::jsonb
         || p_policy;
end $$;

-- Seconds to wait before the attempt after p_attempt, from the policy snapped at scheduling.
create or replace function weft.retry_delay_seconds(p_policy jsonb, p_attempt int) returns float8
language plpgsql immutable as $$
declare
  v_list jsonb := p_policy->'backoffSeconds';
  v_delay float8;
begin
  if jsonb_typeof(v_list) = 'array' and jsonb_array_length(v_list) > 0 then
    return (v_list->>(least(p_attempt, jsonb_array_length(v_list)) - 1))::float8;
  end if;
  v_delay := (p_policy->>'initialIntervalSeconds')::float8
             * power((p_policy->>'backoffCoefficient')::float8, p_attempt - 1);
  if p_policy->>'maximumIntervalSeconds' is not null then
    v_delay := least(v_delay, (p_policy->>'maximumIntervalSeconds')::float8);
  end if;
  return v_delay;
end $$;
