// Starting the embedded PostgreSQL where a newcomer's first start goes wrong: as root in a
// private directory, and after a kill -9, a taken port, another major version, a full disk.
// Each test starts servers of its own, in a private (0700) directory like /root.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WeftError } from "@weft/errors";
import { EmbeddedPostgresError, openDatabase, type Database, type OpenDatabaseOptions } from "@weft/sql";

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const onLinux = process.platform === "linux";

/** The user PostgreSQL runs as: `postgres` as root (created by the first start if missing), else this one. */
async function serverUser(): Promise<{ uid: number; gid: number }> {
  if (!isRoot) return { uid: process.getuid!(), gid: process.getgid!() };
  const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

/** Running and not a zombie (a reaped-later zombie still answers kill(pid, 0)). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  return stat !== undefined && !/^\d+ \(.*\) Z /.test(stat);
}

/** A 1 MB tmpfs at `dir`; false where this process may not mount (not root, or no CAP_SYS_ADMIN). */
async function mountTiny(dir: string, options = ""): Promise<boolean> {
  return run("mount", ["-t", "tmpfs", "-o", `size=1m${options}`, "tmpfs", dir]).then(
    () => true,
    () => false,
  );
}

const canMount = isRoot && onLinux && (await (async () => {
  const probe = await mkdtemp(path.join(os.tmpdir(), "weft-mount-probe-"));
  const mounted = await mountTiny(probe);
  if (mounted) await run("umount", [probe]);
  await rm(probe, { recursive: true });
  return mounted;
})());

describe("starting the embedded PostgreSQL", () => {
  let home: string; // private, as /root is: the server's user cannot enter it
  let relocationDir: string;
  const opened: Database[] = [];
  const children: ChildProcess[] = [];

  /** Opens the embedded server with its data at `<home>/<name>`, recording progress lines. */
  async function open(name: string, extra: Partial<OpenDatabaseOptions> = {}) {
    const lines: string[] = [];
    const database = await openDatabase({
      dataDir: path.join(home, name),
      relocationDir,
      onProgress: (line) => lines.push(line),
      ...extra,
    });
    opened.push(database);
    return { database, lines, port: Number(new URL(database.url).port) };
  }

  async function failure(name: string, extra: Partial<OpenDatabaseOptions> = {}): Promise<EmbeddedPostgresError> {
    const error = await open(name, extra).then(
      () => new Error("started, but should have failed"),
      (error: unknown) => error,
    );
    expect(error).toBeInstanceOf(EmbeddedPostgresError);
    expect(error).toBeInstanceOf(WeftError);
    expect((error as Error).message).not.toContain("\n");
    return error as EmbeddedPostgresError;
  }

  async function query(database: Database, sql: string): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  }

  async function postmasterPid(name: string): Promise<number> {
    return Number((await readFile(path.join(home, name, "postmaster.pid"), "utf8")).split("\n")[0]);
  }

  async function listen(port: number): Promise<net.Server> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
    return server;
  }

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "weft-embedded-"));
    // As root: shared with the server's user, so not under the private tmpdir (weft makes it 0755).
    relocationDir = await mkdtemp(path.join(isRoot ? "/var/tmp" : os.tmpdir(), "weft-test-relocation-"));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    await Promise.all(opened.splice(0).map((database) => database.stop()));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(relocationDir, { recursive: true, force: true });
  });

  it.runIf(isRoot)("as root, keeps binaries and data where the postgres user can reach them, and finds them again", async () => {
    const pointer = path.join(home, "checkout-a", ".weft", "postgres");
    const first = await open("checkout-a/.weft/postgres");
    await query(first.database, "create table kept (n int); insert into kept values (42)");
    await first.database.stop();

    const target = await readlink(pointer);
    expect(path.dirname(target)).toBe(path.resolve(relocationDir));
    const data = await lstat(target);
    expect([data.uid, data.mode & 0o777]).toEqual([(await serverUser()).uid, 0o700]);
    expect((await stat(relocationDir)).mode & 0o777).toBe(0o755);
    expect(first.lines.join("\n")).toMatch(/running as root: PostgreSQL runs as user postgres/);

    const second = await open("checkout-a/.weft/postgres");
    expect(second.port).toBe(first.port); // remembered, so the URL stays the same
    expect((await query(second.database, "select n from kept")).rows).toEqual([{ n: 42 }]);
    expect(second.lines.join("\n")).not.toMatch(/initialising/);
    await second.database.stop();

    // Deleting the checkout lets the next start anywhere reclaim its data.
    await rm(path.join(home, "checkout-a"), { recursive: true });
    const other = await open("checkout-b/.weft/postgres");
    expect(other.lines).toContain(`removed ${target}: nothing links to it any more (${pointer} is gone)`);
    await expect(lstat(target)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("moves to a free port when the remembered one is taken by another program", async () => {
    const first = await open("port/pg");
    await first.database.stop();
    const squatter = await listen(first.port);
    try {
      const second = await open("port/pg");
      expect(second.port).not.toBe(first.port);
      expect(second.lines).toContain(`port ${first.port} is in use by another program; using port ${second.port} instead`);
      expect((await query(second.database, "select 1 as one")).rows).toEqual([{ one: 1 }]);
    } finally {
      squatter.close();
    }
  });

  it("fails with one line when the port it is given is taken", async () => {
    const squatter = await listen(0);
    const { port } = squatter.address() as net.AddressInfo;
    try {
      const error = await failure("port-given/pg", { port });
      expect(error.reason).toBe("port-in-use");
      expect(error.message).toBe(
        `embedded PostgreSQL: port ${port} on 127.0.0.1 is in use by another program; pass another port, ` +
          "or none to let weft pick a free one, or set DATABASE_URL to use a PostgreSQL of your own",
      );
    } finally {
      squatter.close();
    }
  });

  it.runIf(onLinux)("starts after a kill -9 of the postmaster, with its data, however its pid is reused", async () => {
    const first = await open("killed/pg");
    await query(first.database, "create table kept (n int); insert into kept values (7)");
    const pid = await postmasterPid("killed/pg");
    process.kill(pid, "SIGKILL");
    await first.database.stop(); // returns once the killed process is reaped

    const second = await open("killed/pg");
    expect(second.lines.join("\n")).toMatch(`removed a stale postmaster.pid from ${path.join(home, "killed/pg")}`);
    expect(second.lines.join("\n")).toMatch(`its pid ${pid} is gone`);
    expect((await query(second.database, "select n from kept")).rows).toEqual([{ n: 7 }]);

    // The pid in the file now belongs to another program of the same user, which PostgreSQL
    // alone takes for a running server ("lock file postmaster.pid already exists").
    const killedPid = await postmasterPid("killed/pg");
    const lockFile = await readFile(path.join(home, "killed/pg", "postmaster.pid"), "utf8");
    process.kill(killedPid, "SIGKILL");
    await second.database.stop();
    const user = await serverUser();
    const other = spawn("sleep", ["60"], { uid: user.uid, gid: user.gid, cwd: "/" });
    children.push(other);
    await writeFile(path.join(home, "killed/pg", "postmaster.pid"), lockFile.replace(/^\d+/, String(other.pid)));

    const third = await open("killed/pg");
    expect(third.lines.join("\n")).toMatch(`its pid ${other.pid} is another program now`);
    expect((await query(third.database, "select n from kept")).rows).toEqual([{ n: 7 }]);
  });

  it.runIf(onLinux)("stops a server whose process was killed with kill -9, and refuses one whose process lives", async () => {
    const dataDir = path.join(home, "orphan/pg");
    // Another process that starts the server and holds it, as a demo or a test run does.
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { openDatabase } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
         await openDatabase(${JSON.stringify({ dataDir, relocationDir })});
         console.log("ready");
         setInterval(() => {}, 60_000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    children.push(holder);
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("ready")) resolve();
      });
      holder.once("exit", (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    const pid = await postmasterPid("orphan/pg");

    const error = await failure("orphan/pg");
    expect(error.reason).toBe("in-use");
    expect(error.message).toMatch(`embedded PostgreSQL: another PostgreSQL (pid ${pid}) is running on ${dataDir}`);
    expect(error.message).toMatch(`for process ${holder.pid} (another weft demo or test run?); stop it or wait for it to finish`);

    holder.kill("SIGKILL");
    await new Promise((resolve) => holder.once("exit", resolve));
    expect(await alive(pid)).toBe(true); // left running, with nobody to stop it

    const reopened = await open("orphan/pg");
    expect(reopened.lines.join("\n")).toMatch(`stopping the PostgreSQL (pid ${pid}) left running on ${dataDir}`);
    expect(reopened.lines.join("\n")).toMatch(`by process ${holder.pid}, which is gone`);
    expect(await alive(pid)).toBe(false);
  });

  it("refuses data from another PostgreSQL major version, saying what to do", async () => {
    const first = await open("old-major/pg");
    const major = (await query(first.database, "show server_version_num")).rows[0].server_version_num.slice(0, 2);
    await first.database.stop();
    await writeFile(path.join(home, "old-major/pg", "PG_VERSION"), "15\n");

    const error = await failure("old-major/pg");
    expect(error.reason).toBe("version-mismatch");
    expect(error.message).toMatch(
      `holds data of PostgreSQL 15, but the embedded PostgreSQL is version ${major}; ` +
        `remove ${path.join(home, "old-major/pg")} to start afresh (its data is lost), or set DATABASE_URL`,
    );
  });

  it.runIf(canMount)("fails with one line on a full disk: for the data, and for the binaries' copy as root", async () => {
    const user = await serverUser();
    // Both mounts where the server's user can reach them, unlike the private home.
    const shared = await mkdtemp(path.join("/var/tmp", "weft-test-full-"));
    await chmod(shared, 0o755);
    const dataDir = path.join(shared, "pg");
    const tinyRelocation = path.join(shared, "relocation");
    const mounted: string[] = [];
    try {
      // An existing directory of the server's user is used in place, so initdb writes to the tmpfs.
      await mkdir(dataDir);
      expect(await mountTiny(dataDir, `,uid=${user.uid},gid=${user.gid},mode=0700`)).toBe(true);
      mounted.push(dataDir);
      const dataError = await failure("unused", { dataDir });
      expect(dataError.reason).toBe("disk-full");
      expect(dataError.message).toMatch(`embedded PostgreSQL: no space left on the device that holds ${dataDir}; free some space`);

      await mkdir(tinyRelocation);
      expect(await mountTiny(tinyRelocation, ",mode=0755")).toBe(true);
      mounted.push(tinyRelocation);
      const copyError = await failure("full-copy/pg", { relocationDir: tinyRelocation });
      expect(copyError.reason).toBe("disk-full");
      expect(copyError.message).toMatch(`no space left on the device that holds ${tinyRelocation}`);
      expect(await readdir(tinyRelocation)).toEqual([]); // no partial copy left behind
    } finally {
      for (const dir of mounted) await run("umount", [dir]);
      await rm(shared, { recursive: true, force: true });
    }
  });

  it.runIf(canMount)("as root, says what to do when the relocation directory is mounted noexec", async () => {
    const noexec = await mkdtemp(path.join("/var/tmp", "weft-test-noexec-"));
    let mounted = false;
    try {
      mounted = await run("mount", ["-t", "tmpfs", "-o", "size=200m,noexec,mode=0755", "tmpfs", noexec]).then(() => true);
      const error = await failure("noexec/pg", { relocationDir: noexec });
      expect(error.reason).toBe("permission");
      expect(error.message).toBe(
        "embedded PostgreSQL: user postgres, which PostgreSQL runs as when weft runs as root, may not run " +
          `${noexec}/postgres-${error.message.match(/postgres-([^/]+)\/bin/)?.[1]}/bin/postgres (EACCES); ` +
          "is it on a noexec mount, or in a directory postgres cannot enter? Pass another relocationDir, " +
          "or set DATABASE_URL to use a PostgreSQL of your own",
      );
    } finally {
      if (mounted) await run("umount", [noexec]);
      await rm(noexec, { recursive: true, force: true });
    }
  });

  it.runIf(isRoot)("as root, refuses a relocation directory others can write to, and data it does not own", async () => {
    const open777 = await mkdtemp(path.join("/var/tmp", "weft-test-unsafe-"));
    try {
      await chmod(open777, 0o777);
      const unsafe = await failure("unsafe/pg", { relocationDir: open777 });
      expect(unsafe.reason).toBe("unsafe-directory");
      expect(unsafe.message).toMatch(`the relocation directory ${open777} is writable by users other than root`);
    } finally {
      await rm(open777, { recursive: true, force: true });
    }

    await mkdir(path.join(home, "roots/pg"), { recursive: true }); // made by root, in place
    const foreign = await failure("roots/pg");
    expect(foreign.reason).toBe("permission");
    expect(foreign.message).toMatch(
      `${path.join(home, "roots/pg")} belongs to uid 0, but PostgreSQL runs as user postgres (uid ${(await serverUser()).uid})`,
    );
  });
});
