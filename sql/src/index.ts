export { migrate } from "./migrate.js";
export type { FunctionsOutcome, MigrateOptions } from "./migrate.js";
export { MigrationChangedError, MigrationFailedError, SchemaTooNewError } from "./migrations.js";
export type { Migration } from "./migrations.js";
export { grantStatements } from "./grants.js";
export { openDatabase, databaseUrlFor } from "./embedded/open-database.js";
export type { Database, OpenDatabaseOptions } from "./embedded/open-database.js";
export { EmbeddedPostgresError } from "./embedded/errors.js";
export type { EmbeddedPostgresFailure } from "./embedded/errors.js";
