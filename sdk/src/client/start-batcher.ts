import type pg from "pg";
import { isInfrastructureError, mapDatabaseError, TooManyConnectionsError } from "../errors.js";
import { MicroBatcher } from "./micro-batcher.js";
import { startWorkflows } from "./sql-api.js";

export interface StartRequest {
  workflowType: string;
  /** JSON text of the arguments array, already validated (payload.ts). */
  argsJson: string;
  workflowId: string | null;
  taskQueue: string;
  namespace: string;
  /** weft.start_workflow's p_options. */
  options: Record<string, unknown>;
}

/**
 * Sends the start calls made in one turn of the event loop as one weft.start_workflows call:
 * one transaction and one commit for many starts, each accepted or refused on its own.
 */
export function startBatcher(pool: pg.Pool): MicroBatcher<StartRequest, string> {
  return new MicroBatcher((requests) => startEach(pool, requests));
}

/**
 * One outcome per request, never a throw: a batch may be part of a larger one whose other half
 * committed. weft.start_workflows refuses a bad start in its slot; an error of the whole
 * statement that is not the server failing (or out of connections) came from a start the checks
 * let through, so the batch, rolled back, is split in halves and sent again until it fails alone.
 */
async function startEach(pool: pg.Pool, requests: StartRequest[]): Promise<(string | Error)[]> {
  // Arguments are spliced in as already-encoded JSON text rather than parsed and re-encoded.
  const json = `[${requests
    .map(({ argsJson, ...rest }) => `${JSON.stringify(rest).slice(0, -1)},"args":${argsJson}}`)
    .join(",")}]`;
  try {
    const answers = await startWorkflows(pool, json);
    return answers.map((answer) => ("runId" in answer ? answer.runId : (mapDatabaseError(answer.error) as Error)));
  } catch (caught) {
    const error = caught as Error; // mapped by sql-api.ts
    const serverFailing = isInfrastructureError(caught) || error instanceof TooManyConnectionsError;
    if (requests.length === 1 || serverFailing) return requests.map(() => error);
    const half = Math.ceil(requests.length / 2);
    const halves = await Promise.all([startEach(pool, requests.slice(0, half)), startEach(pool, requests.slice(half))]);
    return halves.flat();
  }
}
