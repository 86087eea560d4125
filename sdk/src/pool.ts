import type pg from "pg";

/**
 * Makes a pool's lost connections harmless. node-pg emits 'error' on a client whose connection
 * drops (a database restart), also while it is checked out, where the pool does not listen:
 * unheard, that is an uncaught exception in the user's process. Whoever holds the client sees
 * the failure on its query instead; idle clients are dropped by the pool and reported here.
 */
export function handleConnectionErrors(pool: pg.Pool, report: (error: Error) => void = () => {}): void {
  pool.on("error", report);
  pool.on("connect", (client) => client.on("error", () => {}));
}
