-- weft's SQL API: checks and defaults for what callers pass in (names, payloads, search
-- attributes, timeouts, retry policies). The same rules as the TypeScript client's; the
-- limits are listed once, in the README. Error codes: docs/errors.md (WF003 for payloads,
-- WF006 for everything else).
-- Code, not history: migrate() re-applies sql/functions/ when it changes (README there).

create or replace function weft.max_payload_bytes() returns int
language sql immutable as $$ select 2 * 1024 * 1024 $$;

-- The longest timeout, timer or retry interval: ten years (MAX_TIMEOUT_SECONDS in sdk/src/options.ts).
create or replace function weft.max_duration_seconds() returns int
language sql immutable as $$ select 10 * 365 * 24 * 3600 $$;

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

-- Ids and names (workflow ids and types, task queues, signal names): 1 to 255 characters.
create or replace function weft.check_name(p_value text, p_what text) returns void
language plpgsql immutable as $$
begin
  perform weft.check_text(p_value, p_what, 255);
  if p_value = '' then
    raise exception '% must not be empty', p_what using errcode = 'WF006';
  end if;
end $$;

-- Free text such as a termination reason: present, at most p_max characters.
create or replace function weft.check_text(p_value text, p_what text, p_max int) returns void
language plpgsql immutable as $$
begin
  if p_value is null then
    raise exception '% must not be null', p_what using errcode = 'WF006';
  end if;
  if length(p_value) > p_max then
    raise exception '% is % characters, over the limit of %', p_what, length(p_value), p_max
      using errcode = 'WF006';
  end if;
end $$;

-- Search attributes: at most 100 keys named like identifiers (not __proto__), each value a
-- string, number, boolean, array of strings or null of at most 2 KiB as JSON, 40 KiB in all
-- (Temporal's limits).
create or replace function weft.check_search_attributes(p_attributes jsonb) returns void
language plpgsql immutable as $$
declare
  v_key text;
  v_value jsonb;
begin
  if jsonb_typeof(p_attributes) is distinct from 'object' then
    raise exception 'search attributes must be a JSON object, got %', coalesce(jsonb_typeof(p_attributes), 'null')
      using errcode = 'WF006', hint = 'Pass {"customer": "acme"}.';
  end if;
  if (select count(*) from jsonb_object_keys(p_attributes)) > 100 then
    raise exception 'search attributes have % keys, over the limit of 100', (select count(*) from jsonb_object_keys(p_attributes))
      using errcode = 'WF006';
  end if;
  if octet_length(p_attributes::text) > 40960 then
    raise exception 'search attributes are % bytes as JSON, over the limit of 40960', octet_length(p_attributes::text)
      using errcode = 'WF006', hint = 'Keep search attributes to what lists filter on; put the rest in the arguments.';
  end if;
  for v_key, v_value in select key, value from jsonb_each(p_attributes) loop
    -- __proto__ too: a JavaScript object cannot hold it as a plain key, so a client would lose it.
    if v_key !~ '^[A-Za-z_][A-Za-z0-9_]{0,63}$' or v_key = '__proto__' then
      raise exception 'search attribute key "%" is not a name', left(v_key, 80)
        using errcode = 'WF006', hint = 'Use a letter or _ followed by up to 63 letters, digits or _ (not __proto__).';
    end if;
    if jsonb_typeof(v_value) not in ('string', 'number', 'boolean', 'null')
       and not (jsonb_typeof(v_value) = 'array'
                and not exists (select 1 from jsonb_array_elements(v_value) e where jsonb_typeof(e) <> 'string')) then
      raise exception 'search attribute "%" is a %', v_key, jsonb_typeof(v_value)
        using errcode = 'WF006', hint = 'Values are strings, numbers, booleans, arrays of strings, or null.';
    end if;
    if octet_length(v_value::text) > 2048 then
      raise exception 'search attribute "%" is % bytes as JSON, over the limit of 2048', v_key, octet_length(v_value::text)
        using errcode = 'WF006';
    end if;
  end loop;
end $$;

-- A timeout in ms (null when absent): a number between 1 ms and ten years, rounded up.
create or replace function weft.timeout_ms(p_value jsonb, p_what text) returns bigint
language plpgsql immutable as $$
begin
  if p_value is null or jsonb_typeof(p_value) = 'null' then
    return null;
  end if;
  perform weft.check_number(p_value, p_what || ' (ms)', 1, weft.max_duration_seconds() * 1000::numeric, false);
  return ceil((p_value #>> '{}')::numeric)::bigint;
end $$;

-- A timeout among a start's options, by its key (runTimeoutMs, executionTimeoutMs).
create or replace function weft.timeout_option(p_options jsonb, p_key text) returns bigint
language sql immutable as $$
  select weft.timeout_ms(p_options->p_key, p_key);
$$;

-- A retry policy as snapped onto a run or an activity: the seed's defaults under what the
-- caller gave, each field checked, so that no later retry can fail on it. maxAttempts of 0
-- or less retries without limit; intervals are seconds up to ten years.
create or replace function weft.retry_policy(p_policy jsonb) returns jsonb
language plpgsql immutable as $$
declare
  v_policy jsonb;
  v_unknown text;
  v_ten_years constant numeric := weft.max_duration_seconds();
begin
  if p_policy is null or jsonb_typeof(p_policy) = 'null' then
    return null;
  end if;
  if jsonb_typeof(p_policy) <> 'object' then
    raise exception 'a retry policy must be a JSON object, got %', jsonb_typeof(p_policy) using errcode = 'WF006';
  end if;
  select key into v_unknown from jsonb_object_keys(p_policy) key
   where key not in ('maxAttempts', 'initialIntervalSeconds', 'backoffCoefficient', 'maximumIntervalSeconds',
                     'nonRetryableErrorTypes', 'backoffSeconds')
   limit 1;
  if v_unknown is not null then
    raise exception 'retry policy has no field "%"', left(v_unknown, 80) using errcode = 'WF006',
      hint = 'Fields: maxAttempts, initialIntervalSeconds, backoffCoefficient, maximumIntervalSeconds, nonRetryableErrorTypes, backoffSeconds.';
  end if;
  v_policy := '{"maxAttempts": 3, "initialIntervalSeconds": 1, "backoffCoefficient": 2, "nonRetryableErrorTypes": []}'::jsonb
              || jsonb_strip_nulls(p_policy);
  perform weft.check_number(v_policy->'maxAttempts', 'retry policy maxAttempts', -2147483648, 2147483647, true);
  perform weft.check_number(v_policy->'initialIntervalSeconds', 'retry policy initialIntervalSeconds', 0, v_ten_years, false);
  perform weft.check_number(v_policy->'backoffCoefficient', 'retry policy backoffCoefficient', 1, 100, false);
  if v_policy ? 'maximumIntervalSeconds' then
    perform weft.check_number(v_policy->'maximumIntervalSeconds', 'retry policy maximumIntervalSeconds', 0, v_ten_years, false);
  end if;
  if jsonb_typeof(v_policy->'nonRetryableErrorTypes') <> 'array'
     or exists (select 1 from jsonb_array_elements(v_policy->'nonRetryableErrorTypes') e
                 where jsonb_typeof(e) <> 'string' or length(e #>> '{}') > 255)
     or jsonb_array_length(v_policy->'nonRetryableErrorTypes') > 100 then
    raise exception 'retry policy nonRetryableErrorTypes must be an array of at most 100 type names'
      using errcode = 'WF006';
  end if;
  if v_policy ? 'backoffSeconds' then
    if jsonb_typeof(v_policy->'backoffSeconds') <> 'array' or jsonb_array_length(v_policy->'backoffSeconds') > 100 then
      raise exception 'retry policy backoffSeconds must be an array of at most 100 numbers' using errcode = 'WF006';
    end if;
    perform weft.check_number(e, 'retry policy backoffSeconds entry', 0, v_ten_years, false)
       from jsonb_array_elements(v_policy->'backoffSeconds') e;
  end if;
  -- Absent and null read the same; the snapped policy spells every field out.
  return '{"maximumIntervalSeconds": null, "backoffSeconds": null}'::jsonb || v_policy;
end $$;

-- A JSON number in [p_min, p_max] (an integer when p_integer), else WF006 naming p_what.
create or replace function weft.check_number(p_value jsonb, p_what text, p_min numeric, p_max numeric,
    p_integer boolean) returns void
language plpgsql immutable as $$
begin
  if jsonb_typeof(p_value) is distinct from 'number'
     or (p_value #>> '{}')::numeric not between p_min and p_max
     or (p_integer and (p_value #>> '{}')::numeric <> trunc((p_value #>> '{}')::numeric)) then
    raise exception '% must be % between % and %, got %', p_what,
      case when p_integer then 'an integer' else 'a number' end, p_min, p_max, left(coalesce(p_value::text, 'null'), 80)
      using errcode = 'WF006';
  end if;
end $$;

-- Seconds to wait before the attempt after p_attempt, from the policy snapped at scheduling;
-- at most ten years, whatever the attempt (the exponent is capped so it cannot overflow).
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
             * exp(least((p_attempt - 1) * ln((p_policy->>'backoffCoefficient')::float8), 25));
  if p_policy->>'maximumIntervalSeconds' is not null then
    v_delay := least(v_delay, (p_policy->>'maximumIntervalSeconds')::float8);
  end if;
  return least(v_delay, weft.max_duration_seconds());
end $$;
