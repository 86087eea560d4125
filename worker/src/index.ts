export { Worker } from "./worker.js";
export type { WorkerOptions } from "./worker.js";
export type { WorkerConfig } from "./config.js";
export type { Activities, ActivityContext, ActivityFunction, ActivityInfo } from "./activity/context.js";
export { consoleLogger } from "./logger.js";
export { armFaultPoint } from "./fault-points.js";
export type { FaultPoint } from "./fault-points.js";
