import pg from "pg";
import { databaseUrlFor, EmbeddedPostgresError, openDatabase, type Database } from "@weft/sql";

/**
 * The PostgreSQL server both peers run on, seen through an admin connection to its `postgres`
 * database: creates each peer's fresh database and reads pg_stat_database for it. The admin
 * connection sits in another database, so its own queries never count in a peer's figures.
 */
export class Server {
  private constructor(
    private readonly database: Database,
    private readonly admin: pg.Client,
  ) {}

  /** DATABASE_URL's server when given, else an embedded one started by @weft/sql. */
  static async open(databaseUrl: string | undefined, log: (line: string) => void): Promise<Server> {
    const database = await openDatabase({ databaseUrl, onProgress: log });
    const admin = new pg.Client({ connectionString: databaseUrlFor(database.url, "postgres") });
    await admin.connect();
    return new Server(database, admin);
  }

  get embedded(): boolean {
    return this.database.embedded;
  }

  /** Drops and recreates `name`; returns its URL. Call `checkpoint()` once it is set up. */
  async createFresh(name: string): Promise<string> {
    const id = pg.escapeIdentifier(name);
    await this.admin.query(`drop database if exists ${id} with (force)`);
    await this.admin.query(`create database ${id}`);
    return databaseUrlFor(this.database.url, name);
  }

  async checkpoint(): Promise<void> {
    await this.admin.query("checkpoint");
  }

  /** Transactions committed in `name` so far, as far as backends have reported them. */
  async xactCommit(name: string): Promise<number> {
    const { rows } = await this.admin.query<{ n: string }>(
      "select xact_commit as n from pg_stat_database where datname = $1",
      [name],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Waits until no backend is connected to `name`. A backend reports its transaction counts
   * at most once a second while busy (and after 10 s idle), but always when it exits; so a
   * count read once all connections closed is complete.
   */
  async settle(name: string, timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await this.admin.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = $1",
        [name],
      );
      if (rows[0]!.n === 0) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    await this.admin.end();
    await this.database.stop();
  }
}

/** A failed start of the embedded server as its one line (it says what to do), anything else with its stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof EmbeddedPostgresError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
