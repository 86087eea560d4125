export * as workflow from "./workflow/namespace.js";
export { defn, signal, registerWorkflow, workflowDefinition } from "./workflow/definition.js";
export type { WorkflowClass, WorkflowDefinition, WorkflowGenerator, WorkflowInstance } from "./workflow/definition.js";
export { WorkflowContext } from "./workflow/context.js";
export type { Logger, WorkflowInfo } from "./workflow/context.js";
export {
  CompleteWorkflow,
  FailWorkflow,
  RecordSideEffect,
  ScheduleActivity,
  StartTimer,
  WaitCondition,
} from "./commands.js";
export type { Command, ScheduleActivityOptions, WireCommand } from "./commands.js";
export { ActivityRetryPolicy } from "./retry-policy.js";
export type { ActivityRetryPolicyOptions } from "./retry-policy.js";
export {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  WeftFailure,
  deserializeFailure,
  serializeFailure,
} from "./failures.js";
export type { SerializedFailure, TimeoutType } from "./failures.js";
export {
  NonDeterminismError,
  PayloadError,
  StaleWorkflowTaskError,
  UnknownWorkflowTypeError,
  WeftError,
  WorkflowAlreadyRunningError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  isInfrastructureError,
  mapDatabaseError,
} from "./errors.js";
export { historyEventSchema, parseHistory } from "./history.js";
export type { EventOf, HistoryEvent, HistoryEventType } from "./history.js";
export { replay, continueReplay } from "./replayer/replay.js";
export type { ReplayOptions, ReplayResult } from "./replayer/replay.js";
export { WorkflowMachine, WorkflowTaskError } from "./replayer/machine.js";
export { Client } from "./client/client.js";
export { closeListeningConnection } from "./client/close-listener.js";
export type { ClientOptions, PendingActivity, PendingTimer, RunRef, StartOptions, WorkflowDescription, WorkflowHandle } from "./client/client.js";
export { encodeArgs, MAX_PAYLOAD_BYTES } from "./payload.js";
export { handleConnectionErrors } from "./pool.js";
