import type pg from "pg";

/** Runs `body` in a transaction on one connection; rolls back and rethrows on error. */
export async function inTransaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    // weft's SQL relies on READ COMMITTED (each statement sees what its locks waited for),
    // whatever default_transaction_isolation the database has.
    await client.query("begin isolation level read committed");
    const result = await body(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}
