import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { Client } from "@weft/sdk";
import type { useHarness } from "./harness.js";

/**
 * A Client whose every connection PostgreSQL refuses (its role has CONNECTION LIMIT 0): a call
 * it refuses with InvalidArgumentError or PayloadError was refused before any SQL ran, and one
 * that reached the database fails with TooManyConnectionsError.
 */
export function useRefusedClient(h: ReturnType<typeof useHarness>) {
  const role = `weft_refused_${randomBytes(4).toString("hex")}`;
  let client: Client;
  beforeAll(async () => {
    await h.db.pool.query(`create role ${role} login password 'refused' connection limit 0`);
    const url = new URL(h.db.url);
    url.username = role;
    url.password = "refused";
    client = new Client({ databaseUrl: url.toString() });
  });
  afterAll(async () => {
    await client?.close();
    await h.db.pool.query(`drop role if exists ${role}`);
  });
  return {
    role,
    get client() {
      return client;
    },
  };
}
