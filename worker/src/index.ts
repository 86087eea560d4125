// @weft/worker: the worker that runs workflows and activities. Crash-test hooks are in
// "@weft/worker/testing".
export { Worker } from "./worker.js";
export type { WorkerOptions } from "./worker.js";
export type { WorkerConfig } from "./config.js";
export type { Activities, ActivityContext, ActivityFunction, ActivityInfo } from "./activity/context.js";
export { consoleLogger } from "./logger.js";
