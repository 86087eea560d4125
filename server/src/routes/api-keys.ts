// /api/v1/namespaces/{ns}/api-keys: an admin key of the namespace creates, lists and revokes
// its keys. The secret is in the answer to its creation and nowhere else.
import type pg from "pg";
import { z } from "zod";
import { errorBodySchema, HttpError } from "../http-error.js";
import { route, type Route } from "../route.js";
import { createApiKey, KEY_ROLES, keySummarySchema, listApiKeys, revokeApiKey } from "../sql-api.js";
import { keyErrors, nsParams } from "./common.js";

const BASE = "/api/v1/namespaces/{ns}/api-keys";

export function apiKeyRoutes(pool: pg.Pool): Route[] {
  return [
    route({
      method: "post",
      path: BASE,
      summary: "Create a key; its secret is shown only in this answer",
      role: "admin",
      params: nsParams,
      body: z.strictObject({ name: z.string().min(1).max(255), role: z.enum(KEY_ROLES) }),
      responses: {
        201: { description: "created", schema: z.object({ keyId: z.guid(), secret: z.string(), name: z.string(), role: z.enum(KEY_ROLES) }) },
        ...keyErrors,
      },
      async handle({ params, body }) {
        const created = await createApiKey(pool, params.ns, body.name, body.role);
        return { status: 201, body: { ...created, name: body.name, role: body.role } };
      },
    }),
    route({
      method: "get",
      path: BASE,
      summary: "The namespace's keys, oldest first, without their secrets",
      role: "admin",
      params: nsParams,
      responses: { 200: { description: "the keys", schema: z.object({ apiKeys: z.array(keySummarySchema) }) }, ...keyErrors },
      async handle({ params }) {
        return { status: 200, body: { apiKeys: await listApiKeys(pool, params.ns) } };
      },
    }),
    route({
      method: "delete",
      path: `${BASE}/{keyId}`,
      summary: "Revoke a key at once",
      role: "admin",
      params: nsParams.extend({ keyId: z.guid() }),
      responses: { 204: { description: "revoked" }, ...keyErrors, 404: { description: "no such key in the namespace", schema: errorBodySchema } },
      async handle({ params }) {
        if (!(await revokeApiKey(pool, params.ns, params.keyId))) {
          throw new HttpError(404, "api_key_not_found", `namespace "${params.ns}" has no key ${params.keyId}`);
        }
        return { status: 204 };
      },
    }),
  ];
}
