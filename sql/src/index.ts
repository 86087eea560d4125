export { migrate } from "./migrate.js";
export type { FunctionsOutcome, MigrateOptions } from "./migrate.js";
export { loadMigrations, MigrationChangedError, SchemaTooNewError } from "./migrations.js";
export type { Migration } from "./migrations.js";
export { loadFunctionSet } from "./functions.js";
export type { FunctionSet } from "./functions.js";
export { openDatabase, databaseUrlFor } from "./embedded.js";
export type { Database, OpenDatabaseOptions } from "./embedded.js";
