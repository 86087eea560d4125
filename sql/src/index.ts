export { migrate, loadMigrations, MigrationChangedError, SchemaTooNewError } from "./migrate.js";
export type { Migration, MigrateOptions } from "./migrate.js";
export { openDatabase, databaseUrlFor } from "./embedded.js";
export type { Database, OpenDatabaseOptions } from "./embedded.js";
