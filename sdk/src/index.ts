// @weft/sdk: what applications use to write, start and observe workflows. Test helpers are in
// "@weft/sdk/testing"; what only @weft/worker needs is in "@weft/sdk/internal" (not public).
export * as workflow from "./workflow/namespace.js";
export { defn, signal, registerWorkflow } from "./workflow/definition.js";
export type { WorkflowArgs, WorkflowClass, WorkflowGenerator, WorkflowInstance, WorkflowResult } from "./workflow/definition.js";
export type { Logger, WorkflowContext, WorkflowInfo } from "./workflow/context.js";
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
export type { Command, CommandResult, ParentClosePolicy, ScheduleActivityOptions, StartChildWorkflowOptions } from "./commands.js";
export { ActivityRetryPolicy, ChildWorkflowRetryPolicy, WorkflowRetryPolicy } from "./retry-policy.js";
export type { RetryPolicyOptions } from "./retry-policy.js";
export type { SearchAttributes, SearchAttributeValue } from "./search-attributes.js";
export {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  TerminatedFailure,
  TimeoutFailure,
  WeftFailure,
} from "./failures.js";
export type { SerializedFailure, TimeoutType } from "./failures.js";
export {
  InvalidArgumentError,
  NamespaceAlreadyExistsError,
  NamespaceNotFoundError,
  NonDeterminismError,
  PayloadError,
  PayloadTooLargeError,
  ResultTimeoutError,
  StaleWorkflowTaskError,
  TooManyConnectionsError,
  PermissionDeniedError,
  UndecodableEventError,
  UnknownWorkflowTypeError,
  WeftError,
  WorkflowAlreadyRunningError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowTaskError,
  mapDatabaseError,
} from "./errors.js";
export type { EventOf, HistoryEvent, HistoryEventType } from "./history.js";
export { Client } from "./client/client.js";
export type {
  ClientOptions,
  CountOptions,
  HistoryOptions,
  ListFilter,
  ListPage,
  OutcomeOptions,
  ResultOptions,
  RunRef,
  StartOptions,
  WorkflowHandle,
} from "./client/client.js";
export type { PendingActivity, PendingChild, PendingTimer, RunCount, RunState, RunSummary, WorkflowDescription } from "./client/views.js";
export type { RunStatus } from "./run-status.js";
