export * as workflow from "./workflow/namespace.js";
export { defn, signal, registerWorkflow, workflowDefinition } from "./workflow/definition.js";
export type {
  WorkflowArgs,
  WorkflowClass,
  WorkflowDefinition,
  WorkflowGenerator,
  WorkflowInstance,
  WorkflowResult,
} from "./workflow/definition.js";
export { WorkflowContext } from "./workflow/context.js";
export type { Logger, WorkflowInfo } from "./workflow/context.js";
export {
  CompleteWorkflow,
  ContinueAsNew,
  FailWorkflow,
  RecordSideEffect,
  RecordVersionMarker,
  ScheduleActivity,
  StartChildWorkflow,
  StartTimer,
  UpsertSearchAttributes,
  WaitCondition,
} from "./commands.js";
export type {
  Command,
  CommandResult,
  ParentClosePolicy,
  ScheduleActivityOptions,
  StartChildWorkflowOptions,
  WireChildStart,
  WireCommand,
} from "./commands.js";
export { ActivityRetryPolicy, ChildWorkflowRetryPolicy, WorkflowRetryPolicy } from "./retry-policy.js";
export type { RetryPolicyOptions } from "./retry-policy.js";
export { checkSearchAttributes } from "./search-attributes.js";
export type { SearchAttributes, SearchAttributeValue } from "./search-attributes.js";
export {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  TerminatedFailure,
  TimeoutFailure,
  WeftFailure,
  deserializeFailure,
  serializeFailure,
} from "./failures.js";
export type { SerializedFailure, TimeoutType } from "./failures.js";
export {
  InvalidArgumentError,
  NonDeterminismError,
  PayloadError,
  ResultTimeoutError,
  StaleWorkflowTaskError,
  UnknownWorkflowTypeError,
  WeftError,
  WorkflowAlreadyRunningError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowTaskError,
  isInfrastructureError,
  mapDatabaseError,
} from "./errors.js";
export { historyEventSchema, parseHistory } from "./history.js";
export type { EventOf, HistoryEvent, HistoryEventType } from "./history.js";
export { replay, continueReplay } from "./replayer/replay.js";
export type { ReplayOptions, ReplayResult } from "./replayer/replay.js";
export { WorkflowMachine } from "./replayer/machine.js";
export { Client } from "./client/client.js";
export { closeListeningConnection } from "./client/close-listener.js";
export type {
  ClientOptions,
  ListFilter,
  ListPage,
  PendingActivity,
  PendingChild,
  PendingTimer,
  ResultOptions,
  RunRef,
  RunSummary,
  StartOptions,
  WorkflowDescription,
  WorkflowHandle,
} from "./client/client.js";
export type { RunStatus } from "./client/db.js";
export { encodeArgs, MAX_PAYLOAD_BYTES } from "./payload.js";
export { handleConnectionErrors } from "./pool.js";
