// weft's SQL API as the server calls it beyond the Client's: API keys, namespaces and the
// schema version (sql/functions/server.sql), each answer parsed with zod and each error mapped
// to its typed error. The functions are weft_server's (sql/functions/privileges.sql).
import { sqlAnswer } from "@weft/sdk/internal";
import type pg from "pg";
import { z } from "zod";

export const KEY_ROLES = ["read", "write", "admin"] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

const apiKey = z.object({ keyId: z.guid(), namespace: z.string(), name: z.string(), role: z.enum(KEY_ROLES) });
/** The key a request presents: whose namespace and role. */
export type ApiKey = z.infer<typeof apiKey>;

/** The key whose secret this is, or null: unknown or revoked. */
export function authenticateApiKey(pool: pg.Pool, secret: string): Promise<ApiKey | null> {
  return sqlAnswer(pool, apiKey.nullable(), "select weft.authenticate_api_key($1) as answer", [secret]);
}

const createdKey = z.object({ keyId: z.guid(), secret: z.string() });

export function createApiKey(pool: pg.Pool, namespace: string, name: string, role: KeyRole): Promise<{ keyId: string; secret: string }> {
  return sqlAnswer(pool, createdKey, "select weft.create_api_key($1, $2, $3) as answer", [namespace, name, role]);
}

const date = z.iso.datetime({ offset: true });
export const keySummarySchema = z.object({
  keyId: z.guid(),
  name: z.string(),
  role: z.enum(KEY_ROLES),
  createdAt: date,
  revokedAt: date.nullable(),
});

export function listApiKeys(pool: pg.Pool, namespace: string): Promise<z.infer<typeof keySummarySchema>[]> {
  return sqlAnswer(pool, z.array(keySummarySchema), "select weft.list_api_keys($1) as answer", [namespace]);
}

/** False: no such key in that namespace. */
export function revokeApiKey(pool: pg.Pool, namespace: string, keyId: string): Promise<boolean> {
  return sqlAnswer(pool, z.boolean(), "select weft.revoke_api_key($1, $2) as answer", [namespace, keyId]);
}

export const namespaceSchema = z.object({ name: z.string(), retentionDays: z.number().int().nullable(), createdAt: date });
export type Namespace = z.infer<typeof namespaceSchema>;

export function createNamespace(pool: pg.Pool, name: string, retentionDays: number | null): Promise<Namespace> {
  return sqlAnswer(pool, namespaceSchema, "select weft.create_namespace($1, $2) as answer", [name, retentionDays]);
}

/** NamespaceNotFoundError unless it exists. */
export async function checkNamespace(pool: pg.Pool, namespace: string): Promise<void> {
  await sqlAnswer(pool, z.unknown(), "select weft.check_namespace($1) as answer", [namespace]);
}

export function listNamespaces(pool: pg.Pool): Promise<Namespace[]> {
  return sqlAnswer(pool, z.array(namespaceSchema), "select weft.list_namespaces() as answer", []);
}

const schemaVersion = z.object({ migration: z.number().int().nullable(), functions: z.number().int().nullable() });

/** The newest migration and the function set's version in the database. */
export function schemaVersionOf(pool: pg.Pool): Promise<z.infer<typeof schemaVersion>> {
  return sqlAnswer(pool, schemaVersion, "select weft.schema_version() as answer", []);
}
