// @weft/sql/internal: what weft's own packages and tests need to read the SQL this package ships: the
// numbered migrations and the function set, as migrate() applies them. NOT a public API: it
// may change in any release without notice. Applications import "@weft/sql".
export { loadMigrations } from "./migrations.js";
export { loadFunctionSet } from "./functions.js";
export type { FunctionSet } from "./functions.js";
