#!/usr/bin/env node
// weft's command line. Each command is a thin shell over a package's API, so what it does is
// what a program calling that API gets.
import { Command, Option } from "commander";
import { grantStatements, migrate } from "@weft/sql";

const databaseUrl = () =>
  new Option("--database-url <url>", "PostgreSQL connection string").env("DATABASE_URL").makeOptionMandatory();

const program = new Command("weft").description("A durable workflow engine that needs nothing but PostgreSQL");

program
  .command("migrate")
  .description("create or upgrade schema weft (and graphile-worker's), as the role that is to own them")
  .addOption(databaseUrl())
  .action(async ({ databaseUrl }: { databaseUrl: string }) => {
    await migrate(databaseUrl, {
      onApply: (m) => console.log(`applied migration ${m.id} (${m.name})`),
      onWarning: (message) => console.log(`warning: ${message}`),
      onFunctions: (o) =>
        console.log(
          o.applied
            ? `applied SQL functions version ${o.version}${o.previousVersion === null ? "" : ` (was ${o.previousVersion})`}`
            : `kept SQL functions version ${o.databaseVersion}: newer than this weft's ${o.version}`,
        ),
    });
    console.log("schema weft is up to date");
  });

program
  .command("grants")
  .description("print the SQL that creates weft's roles and grants them, for a superuser to run")
  .action(() => {
    process.stdout.write(grantStatements());
  });

try {
  await program.parseAsync();
} catch (error) {
  console.error(`weft: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
