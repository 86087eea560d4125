import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WeftError } from "@weft/errors";
import { migrate, MigrationChangedError, MigrationFailedError, SchemaTooNewError } from "@weft/sql";
import { loadFunctionSet, loadMigrations } from "@weft/sql/internal";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { describeSchema } from "./support/schema.js";

const SNAPSHOT = fileURLToPath(new URL("../schema.snapshot.txt", import.meta.url));
const MANIFEST = fileURLToPath(new URL("../functions/version.json", import.meta.url));
const UPDATE = Boolean(process.env.UPDATE_SCHEMA_SNAPSHOT);

describe("migrate()", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(); // already migrated from the template
  });
  afterAll(async () => db?.drop());

  it("matches the committed schema snapshot, function bodies included (UPDATE_SCHEMA_SNAPSHOT=1 rewrites it)", async () => {
    const actual = await describeSchema(db.pool);
    if (UPDATE) await writeFile(SNAPSHOT, actual);
    expect(actual).toBe(await readFile(SNAPSHOT, "utf8"));
  });

  it("has a new function-set version for every change of sql/functions (UPDATE_SCHEMA_SNAPSHOT=1 bumps it)", async () => {
    const set = await loadFunctionSet();
    const manifest = JSON.parse(await readFile(MANIFEST, "utf8")) as { version: number; checksum: string };
    if (UPDATE && manifest.checksum !== set.checksum) {
      const bumped = { version: manifest.version + 1, checksum: set.checksum };
      await writeFile(MANIFEST, JSON.stringify(bumped, null, 2) + "\n");
      Object.assign(manifest, bumped);
    }
    expect(manifest.checksum, `sql/functions changed: bump "version" in sql/functions/version.json`).toBe(set.checksum);
  });

  it("is idempotent and safe to run from several processes at once", async () => {
    await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);
    const { rows } = await db.pool.query("select id from weft.migrations order by id");
    expect(rows.map((r) => r.id)).toEqual((await loadMigrations()).map((m) => m.id));
  });

  it("re-applies the functions when their content differs from the set in place", async () => {
    await db.pool.query("create or replace function weft.max_payload_bytes() returns int language sql immutable as $$ select 1 $$");
    await db.pool.query("update weft.function_set set checksum = 'edited'");
    const outcomes: unknown[] = [];
    await migrate(db.url, { onFunctions: (o) => outcomes.push(o) });
    const { version } = await loadFunctionSet();
    expect(outcomes).toEqual([{ applied: true, version, previousVersion: version }]);
    const { rows } = await db.pool.query("select weft.max_payload_bytes() as n");
    expect(rows[0].n).toBe(2 * 1024 * 1024);
    await migrate(db.url, { onFunctions: (o) => outcomes.push(o) });
    expect(outcomes).toHaveLength(1); // unchanged: nothing to do
  });

  it("never replaces newer functions with older ones (an old process during a rolling deploy)", async () => {
    const { version, checksum } = await loadFunctionSet();
    await db.pool.query("create or replace function weft.max_payload_bytes() returns int language sql immutable as $$ select 7 $$");
    await db.pool.query("update weft.function_set set version = $1, checksum = 'from-a-newer-weft'", [version + 1]);
    const outcomes: unknown[] = [];
    await migrate(db.url, { onFunctions: (o) => outcomes.push(o) });
    expect(outcomes).toEqual([{ applied: false, version, databaseVersion: version + 1 }]);
    const { rows } = await db.pool.query("select weft.max_payload_bytes() as n");
    expect(rows[0].n).toBe(7);
    await db.pool.query("update weft.function_set set version = $1, checksum = 'older'", [version]);
    await migrate(db.url);
    expect((await db.pool.query("select weft.max_payload_bytes() as n")).rows[0].n).toBe(2 * 1024 * 1024);
    expect((await db.pool.query("select checksum from weft.function_set")).rows[0].checksum).toBe(checksum);
  });

  it("refuses a database migrated by a newer weft", async () => {
    await db.pool.query("insert into weft.migrations (id, name, checksum) values (999999, 'from-the-future', '')");
    await expect(migrate(db.url)).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(migrate(db.url)).rejects.toBeInstanceOf(WeftError);
    await expect(migrate(db.url)).rejects.toThrow(/at weft migration 999999, but this weft knows only up to/);
    await db.pool.query("delete from weft.migrations where id = 999999");
  });

  it("refuses a database where an applied migration differs from the file", async () => {
    await db.pool.query("update weft.migrations set checksum = 'edited' where id = 1");
    await expect(migrate(db.url)).rejects.toBeInstanceOf(MigrationChangedError);
    await expect(migrate(db.url)).rejects.toBeInstanceOf(WeftError);
    const [first] = await loadMigrations();
    await db.pool.query("update weft.migrations set checksum = $1 where id = 1", [first!.checksum]);
    await migrate(db.url);
  });

  it("names the migration that failed, and leaves nothing of the attempt behind", async () => {
    const fresh = await createTestDatabase();
    try {
      await fresh.pool.query("drop schema weft cascade; create schema weft; create table weft.clock (id int)");
      const error = await migrate(fresh.url).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationFailedError);
      expect(error).toBeInstanceOf(WeftError);
      expect((error as Error).message).toMatch(/^weft migration 1 \(core\) failed: .*"clock" already exists/);
      expect(((error as Error).cause as { code?: string }).code).toBe("42P07");
      const { rows } = await fresh.pool.query("select to_regclass('weft.migrations') as migrations");
      expect(rows[0].migrations, "rolled back").toBeNull();
    } finally {
      await fresh.drop();
    }
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
      expect(await describeSchema(fresh.pool)).toBe(await describeSchema(db.pool));
    } finally {
      await fresh.drop();
      await db.pool.query(`drop role ${role}`);
    }
  });
});
