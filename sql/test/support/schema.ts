import type pg from "pg";

/**
 * Schema `weft` as text, from the catalogs: columns, constraints, indexes, views, triggers and
 * every function with its body. Reads the same on PostgreSQL 15 and 18, so one snapshot
 * serves both CI passes.
 */
export async function describeSchema(db: pg.Pool | pg.Client): Promise<string> {
  const parts = await Promise.all(
    [
      `select format('table %s.%s %s %s%s%s', table_schema, table_name, column_name, data_type,
                     case when is_nullable = 'NO' then ' not null' else '' end,
                     coalesce(' default ' || column_default, '')) as line
         from information_schema.columns where table_schema = 'weft'
        order by table_name, ordinal_position`,
      `select format('constraint %s %s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) as line
         from pg_constraint c join pg_namespace n on n.oid = c.connamespace
        where n.nspname = 'weft' and c.contype <> 'n' -- PostgreSQL 18 lists NOT NULL here too
        order by c.conrelid::regclass::text, c.conname`,
      `select 'index ' || indexdef as line from pg_indexes where schemaname = 'weft' order by indexname`,
      `select format('view %s %s', viewname, definition) as line from pg_views where schemaname = 'weft' order by viewname`,
      `select format('trigger %s', pg_get_triggerdef(t.oid)) as line
         from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'weft' and not t.tgisinternal order by 1`,
      `select pg_get_functiondef(p.oid) as line
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'weft' order by p.proname, pg_get_function_identity_arguments(p.oid)`,
    ].map((sql) => db.query<{ line: string }>(sql)),
  );
  return parts.flatMap((result) => result.rows.map((r) => r.line.trimEnd())).join("\n") + "\n";
}
