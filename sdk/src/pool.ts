import type pg from "pg";

/**
 * Makes the lost connections of a pool weft created harmless and recognisable. node-pg emits
 * 'error' on a client whose connection drops (a database restart), also while it is checked
 * out, where the pool does not listen: unheard, that is an uncaught exception in the user's
 * process. Whoever holds the client sees the failure on its query instead; idle clients are
 * dropped by the pool and reported here.
 */
export function handleConnectionErrors(pool: pg.Pool, report: (error: Error) => void = () => {}): void {
  pool.on("error", report);
  markConnectionFailures(pool);
}

const marked = new WeakSet<pg.Pool>();

/**
 * node-pg gives a lost connection's code-less Error to the client's 'error' listeners before
 * its queries in flight: SQLSTATE 08006 set here lets isInfrastructureError tell it by code.
 */
export function markConnectionFailures(pool: pg.Pool): void {
  if (marked.has(pool)) return;
  marked.add(pool);
  pool.on("connect", (client) => client.on("error", markConnectionFailure));
}

function markConnectionFailure(error: Error & { code?: unknown }): void {
  if (error.code === undefined) error.code = "08006";
}
