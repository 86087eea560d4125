export { migrate, loadMigrations, MigrationChangedError, SchemaTooNewError } from "./migrate.js";
export type { Migration, MigrateOptions } from "./migrate.js";
export { openDatabase, databaseUrlFor } from "./embedded/open-database.js";
export type { Database, OpenDatabaseOptions } from "./embedded/open-database.js";
export { EmbeddedPostgresError } from "./embedded/errors.js";
export type { EmbeddedPostgresFailure } from "./embedded/errors.js";
