// @weft/worker/testing: fault points for crash tests, which kill a worker between two writes.
export { armFaultPoint } from "./fault-points.js";
export type { FaultPoint } from "./fault-points.js";
