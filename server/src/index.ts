export { startServer } from "./server.js";
export type { WeftServer } from "./server.js";
export type { ServerConfig, ServerConfigInput } from "./config.js";
export { createApiKey, KEY_ROLES } from "./sql-api.js";
export type { KeyRole } from "./sql-api.js";
