import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { runMigrations as runGraphileMigrations } from "graphile-worker";
import type pg from "pg";

const RELEASED = fileURLToPath(new URL("../../../sql/test/fixtures/released-0.1/", import.meta.url));

/** What weft 0.1's migrate() left behind: graphile-worker's schema, then 000001 and 000002. */
export async function installReleasedSchema(pool: pg.Pool, url: string): Promise<void> {
  await pool.query("drop schema weft cascade; drop schema graphile_worker cascade");
  await runGraphileMigrations({ connectionString: url });
  await pool.query(`create schema weft; create table weft.migrations (
    id int primary key, name text not null, checksum text not null, applied_at timestamptz not null default now())`);
  for (const file of (await readdir(RELEASED)).sort()) {
    const sql = await readFile(RELEASED + file, "utf8");
    await pool.query(sql);
    await pool.query("insert into weft.migrations (id, name, checksum) values ($1, $2, $3)", [
      Number(file.slice(0, 6)),
      file.slice(7, -4),
      createHash("sha256").update(sql).digest("hex"),
    ]);
  }
}
