import type pg from "pg";
import { mapDatabaseError } from "../errors.js";
import { MicroBatcher } from "./micro-batcher.js";

export interface StartRequest {
  workflowType: string;
  /** JSON text of the arguments array, already validated (payload.ts). */
  argsJson: string;
  workflowId: string | null;
  taskQueue: string;
  /** weft.start_workflow's p_options. */
  options: Record<string, unknown>;
}

type Answer = { runId: string } | { error: { code: string; message: string; hint: string | null } };

/**
 * Sends the start calls made in one turn of the event loop as one weft.start_workflows call:
 * one transaction and one commit for many starts, each accepted or refused on its own.
 */
export function startBatcher(pool: pg.Pool): MicroBatcher<StartRequest, string> {
  return new MicroBatcher(async (requests) => {
    // Arguments are spliced in as already-encoded JSON text rather than parsed and re-encoded.
    const json = `[${requests
      .map(({ argsJson, ...rest }) => `${JSON.stringify(rest).slice(0, -1)},"args":${argsJson}}`)
      .join(",")}]`;
    try {
      const { rows } = await pool.query<{ answers: Answer[] }>("select weft.start_workflows($1::jsonb) as answers", [json]);
      return rows[0]!.answers.map((answer) => ("runId" in answer ? answer.runId : (mapDatabaseError(answer.error) as Error)));
    } catch (error) {
      throw mapDatabaseError(error);
    }
  });
}
