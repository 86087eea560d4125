// Path parameters and error responses every namespaced route shares.
import { z } from "zod";
import { errorBodySchema } from "../http-error.js";

const ns = z.string().min(1).max(255);
export const nsParams = z.object({ ns });
export const workflowParams = z.object({ ns, workflowId: z.string().min(1).max(255) });

export const keyErrors = {
  400: { description: "malformed request; details names each problem", schema: errorBodySchema },
  401: { description: "missing, unknown or revoked key", schema: errorBodySchema },
  403: { description: "a key of another namespace, or too weak a role", schema: errorBodySchema },
};
