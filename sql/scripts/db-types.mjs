// Regenerates sdk/src/client/db-schema.ts, the Kysely table types of schema weft, from a
// freshly migrated database (DATABASE_URL's server, or the embedded one). Run after a
// migration: `pnpm db-types`. worker/test/contract.test.ts fails while the file is stale.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { databaseUrlFor, migrate, openDatabase } from "../dist/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const server = await openDatabase({ databaseUrl: process.env.DATABASE_URL });
const name = `weft_db_types_${process.pid}`;
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
try {
  await admin.query(`create database ${name}`);
  const url = databaseUrlFor(server.url, name);
  await migrate(url);
  execFileSync(`${root}node_modules/.bin/kysely-codegen`, ["--config-file", `${root}sdk/kysely-codegen.json`, "--url", url], {
    stdio: "inherit",
  });
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
  await server.stop();
}
