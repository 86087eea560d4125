// @weft/sdk/internal: what @weft/worker (and weft's own tests) need from the SDK: the replayer,
// history parsing, wire commands, payload and connection helpers. NOT a public API: it may
// change in any release without notice. Applications import "@weft/sdk" or "@weft/sdk/testing".
export { WorkflowMachine } from "./replayer/machine.js";
export { replay, continueReplay } from "./replayer/replay.js";
export type { ReplayOptions, ReplayResult } from "./replayer/replay.js";
export { failureSchema as runFailureSchema, historyEventSchema, parseHistory } from "./history.js";
export { runCountSchema, runSummarySchema, workflowDescriptionSchema } from "./client/views.js";
export { workflowDefinition } from "./workflow/definition.js";
export type { WorkflowDefinition } from "./workflow/definition.js";
export { wireCommandSchema } from "./wire.js";
export type { WireCommand } from "./wire.js";
export { serializeFailure } from "./failures.js";
export { isInfrastructureError } from "./errors.js";
export { encodeArgs, encodePayload, MAX_PAYLOAD_BYTES, MAX_PAYLOAD_DEPTH } from "./payload.js";
export {
  MAX_BACKOFF_COEFFICIENT,
  MAX_NAME_LENGTH,
  MAX_REASON_LENGTH,
  MAX_RETRY_LIST_LENGTH,
  MAX_TIMEOUT_SECONDS,
} from "./options.js";
export { MAX_SEARCH_ATTRIBUTE_BYTES, MAX_SEARCH_ATTRIBUTES, MAX_SEARCH_ATTRIBUTES_BYTES } from "./search-attributes.js";
export { closeListeningConnection } from "./client/close-listener.js";
export { handleConnectionErrors } from "./pool.js";
export { sqlAnswer } from "./sql-answer.js";
export { ACTIVITY_STATUSES, RUN_STATUSES } from "./run-status.js";
