import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMigrations, migrate, MigrationChangedError, SchemaTooNewError } from "@weft/sql";
import { createTestDatabase, type TestDatabase } from "./support/database.js";

const SNAPSHOT = fileURLToPath(new URL("../schema.snapshot.txt", import.meta.url));

/** The weft schema as text, from the catalogs, so it reads the same on PostgreSQL 15 and 18. */
async function describeSchema(pool: pg.Pool): Promise<string> {
  const columns = await pool.query<{ line: string }>(`
    select format('table %s.%s %s %s%s%s', table_schema, table_name, column_name, data_type,
                  case when is_nullable = 'NO' then ' not null' else '' end,
                  coalesce(' default ' || column_default, '')) as line
      from information_schema.columns where table_schema = 'weft'
     order by table_name, ordinal_position`);
  const indexes = await pool.query<{ line: string }>(
    `select 'index ' || indexdef as line from pg_indexes where schemaname = 'weft' order by indexname`,
  );
  const functions = await pool.query<{ line: string }>(`
    select format('function %s(%s) returns %s', p.proname, pg_get_function_identity_arguments(p.oid),
                  pg_get_function_result(p.oid)) as line
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'weft' order by 1`);
  return [...columns.rows, ...indexes.rows, ...functions.rows].map((r) => r.line).join("\n") + "\n";
}

describe("migrate()", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(); // already migrated from the template
  });
  afterAll(async () => db?.drop());

  it("matches the committed schema snapshot (run with UPDATE_SCHEMA_SNAPSHOT=1 after adding a migration)", async () => {
    const actual = await describeSchema(db.pool);
    if (process.env.UPDATE_SCHEMA_SNAPSHOT) await writeFile(SNAPSHOT, actual);
    expect(actual).toBe(await readFile(SNAPSHOT, "utf8"));
  });

  it("is idempotent and safe to run from several processes at once", async () => {
    await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);
    const { rows } = await db.pool.query("select id from weft.migrations order by id");
    expect(rows.map((r) => r.id)).toEqual((await loadMigrations()).map((m) => m.id));
  });

  it("refuses a database migrated by a newer weft", async () => {
    await db.pool.query("insert into weft.migrations (id, name, checksum) values (999999, 'from-the-future', '')");
    await expect(migrate(db.url)).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(migrate(db.url)).rejects.toThrow(/at weft migration 999999, but this weft knows only up to/);
    await db.pool.query("delete from weft.migrations where id = 999999");
  });

  it("refuses a database where an applied migration differs from the file", async () => {
    await db.pool.query("update weft.migrations set checksum = 'edited' where id = 1");
    await expect(migrate(db.url)).rejects.toBeInstanceOf(MigrationChangedError);
    const [first] = await loadMigrations();
    await db.pool.query("update weft.migrations set checksum = $1 where id = 1", [first!.checksum]);
    await migrate(db.url);
  });

  it("coexists with the user's own tables and needs no superuser", async () => {
    const role = `weft_app_${process.pid}`;
    await db.pool.query(`create role ${role} login password 'weft' nosuperuser nocreatedb`);
    await db.pool.query("create table public.users_own (id int)");
    const fresh = await createTestDatabase();
    try {
      await fresh.pool.query("drop schema weft cascade; drop schema graphile_worker cascade");
      await fresh.pool.query(`grant create on database ${new URL(fresh.url).pathname.slice(1)} to ${role}`);
      const url = new URL(fresh.url);
      url.username = role;
      url.password = "weft";
      await migrate(url.toString());
      const { rows } = await fresh.pool.query("select count(*)::int as n from weft.migrations");
      expect(rows[0].n).toBe((await loadMigrations()).length);
    } finally {
      await fresh.drop();
      await db.pool.query(`drop role ${role}`);
    }
  });
});
