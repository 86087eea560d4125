// Who may call a route: the key in `Authorization: Bearer <secret>` must be known and not
// revoked (401), belong to the path's namespace and hold at least the route's role (403).
// An admin key of namespace default administers the server: every namespace, as admin.
// Looked up on every request, so a revoked key is refused at once.
import type pg from "pg";
import { HttpError } from "./http-error.js";
import type { Route } from "./route.js";
import { authenticateApiKey, checkNamespace, type ApiKey, type KeyRole } from "./sql-api.js";

const RANK: Record<KeyRole, number> = { read: 0, write: 1, admin: 2 };
/** Longer than any secret weft makes: refused without a query. */
const MAX_SECRET_LENGTH = 200;

export async function authorize(pool: pg.Pool, route: Route, authorization: string | undefined, namespace: unknown): Promise<ApiKey | null> {
  if (route.role === null) return null;
  const secret = /^Bearer ([!-~]+)$/i.exec(authorization ?? "")?.[1];
  if (!secret || secret.length > MAX_SECRET_LENGTH) {
    throw new HttpError(401, "unauthenticated", "send an API key as `Authorization: Bearer <key>`; an admin of the namespace creates keys (weft apikey create)");
  }
  const key = await authenticateApiKey(pool, secret);
  if (!key) throw new HttpError(401, "unauthenticated", "this API key is unknown or revoked; ask an admin of the namespace for a new one");
  const required = route.keyNamespace ?? namespace;
  if (key.namespace === "default" && key.role === "admin") {
    if (typeof required === "string" && required !== "default") await checkNamespace(pool, required); // 404 if none
    return key;
  }
  if (required !== key.namespace) {
    throw new HttpError(403, "wrong_namespace", `this key belongs to namespace "${key.namespace}"; use a key of namespace "${String(required)}"`);
  }
  if (RANK[key.role] < RANK[route.role]) {
    throw new HttpError(403, "insufficient_role", `this key's role is ${key.role}; ${route.method.toUpperCase()} ${route.path} needs ${route.role}`);
  }
  return key;
}
