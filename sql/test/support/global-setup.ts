// Starts (or connects to) PostgreSQL once per test run and migrates a template database that
// every test file clones (createTestDatabase), so files never share state.
import pg from "pg";
import type { TestProject } from "vitest/node";
import { databaseUrlFor, EmbeddedPostgresError, migrate, openDatabase, type Database } from "@weft/sql";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  let database: Database;
  try {
    database = await openDatabase({
      databaseUrl: process.env.DATABASE_URL,
      onProgress: (line) => console.log(`[test setup] ${line}`),
    });
  } catch (error) {
    if (!(error instanceof EmbeddedPostgresError)) throw error;
    // Its message says what to do; vitest would bury it under a stack and a code frame.
    console.error(`[test setup] ${error.message}`);
    process.exit(1);
  }
  const template = `weft_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  await migrate(databaseUrlFor(database.url, template));
  project.provide("serverUrl", database.url);
  project.provide("templateDatabase", template);
  console.log(`[test setup] ${database.embedded ? "embedded PostgreSQL" : "PostgreSQL at DATABASE_URL"}, template ${template}`);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'weft_test_${process.pid}_%' or datname = $1`,
      [template],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.end();
    await database.stop();
  };
}
