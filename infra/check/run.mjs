// Runs what the deploy files run. First it assembles the image's /app the way infra/Dockerfile
// does (its manifest COPYs and its `pnpm install --prod`, with the worktree's own build standing
// in for the build stage), then, against a real PostgreSQL, starts each command compose.yaml and
// the k8s manifests give, with their env, as uid 1000 when run as root: a worker before the
// migration must exit non-zero (Kubernetes restarts it), the server must be unready until the
// migration and ready after it, and for compose a workflow runs end to end over HTTP.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { ROOT } from "./surface.mjs";

const pg = createRequire(path.join(ROOT, "sql/package.json"))("pg");
const IMAGE_DIR = "/app";

/** /app as the Dockerfile's final stage leaves it, built under .scratch/infra-image. */
export function assembleImage(stages, pnpmVersion, log) {
  const scratch = path.join(ROOT, ".scratch/infra-image");
  fs.rmSync(scratch, { recursive: true, force: true });
  const dirs = new Map();
  for (const stage of stages) {
    // The stage that builds is the worktree, built by `pnpm build` before this check runs.
    if (stage.instructions.some((i) => i.keyword === "RUN" && /\bpnpm build\b/.test(i.args))) {
      dirs.set(stage.name, ROOT);
      continue;
    }
    const dir = path.join(scratch, stage.name ?? "final");
    if (stage.base) fs.cpSync(dirs.get(stage.base.name), dir, { recursive: true, verbatimSymlinks: true });
    else fs.mkdirSync(dir, { recursive: true });
    dirs.set(stage.name, dir);
    for (const { keyword, args } of stage.instructions) {
      if (keyword === "COPY") {
        const words = args.split(/\s+/);
        const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
        const [dest, ...sources] = words.filter((w) => !w.startsWith("--")).reverse();
        for (const source of sources.reverse()) {
          const origin = from ? path.join(dirs.get(from), path.relative(IMAGE_DIR, source)) : path.join(ROOT, source);
          // Docker's rules: a directory's contents go to dest; a file goes into dest when dest ends in /.
          const intoDir = dest.endsWith("/") && !fs.statSync(origin).isDirectory();
          const target = intoDir ? path.join(dir, dest, path.basename(source)) : path.join(dir, dest);
          fs.cpSync(origin, target, { recursive: true, verbatimSymlinks: true });
        }
      } else if (keyword === "RUN" && /\bpnpm install\b/.test(args)) {
        const command = args.replace(/^(--\S+\s+)+/, "").trim().split(/\s+/);
        if (command[0] !== "pnpm") throw new Error(`cannot run \`RUN ${args}\` here`);
        log(`${stage.name}: ${command.join(" ")}`);
        const pnpm = ["--yes", `pnpm@${pnpmVersion}`, ...command.slice(1)];
        try {
          execFileSync("npx", [...pnpm, "--offline"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
        } catch {
          execFileSync("npx", pnpm, { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
        }
      } else if (keyword === "RUN") {
        log(`${stage.name}: skipped \`RUN ${args}\` (sets up the build tools)`);
      }
    }
  }
  return dirs.get(stages.at(-1).name);
}

/**
 * The embedded PostgreSQL of this checkout, never DATABASE_URL's server: the runs create and
 * drop the cluster-wide roles compose-roles.sql names (weft_owner, weft_http, ...), which on a
 * server of yours could be real ones.
 */
export async function openServer() {
  const { openDatabase } = await import(path.join(ROOT, "sql/dist/index.js"));
  return openDatabase({});
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });

/** One weft process started as the image starts it: entrypoint, args, env, workdir, user. */
function start(imageDir, run, env, extraArgs = []) {
  const argv = [...run.argv, ...extraArgs].map((a) => a.replace(new RegExp(`^${IMAGE_DIR}/`), `${imageDir}/`));
  const asUser = process.getuid?.() === 0 ? ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups"] : [];
  const [file, ...args] = [...asUser, process.execPath, "cli/dist/main.js", ...argv];
  const child = spawn(file, args, { cwd: imageDir, env: { PATH: process.env.PATH, HOME: "/nonexistent", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = { text: "", stdout: "" };
  child.stdout.on("data", (d) => ((output.text += d), (output.stdout += d)));
  child.stderr.on("data", (d) => (output.text += d));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  return { child, output, exited, label: `${run.where}: weft ${argv.join(" ")}` };
}

async function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(ms, what, test) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await test().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const status = (url) => fetch(url).then((r) => r.status, () => 0);

/**
 * The commands of one source (compose or k8s) in deploy order on a fresh database whose roles
 * compose-roles.sql made. Each DATABASE_URL keeps its user; server, database and that user's
 * password (from compose-roles.sql) are the check's, since the files name hosts of their own.
 */
export async function runSource(serverUrl, imageDir, source, runs, rolesSql, { endToEnd }) {
  const database = `weft_infra_check_${source}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // Roles outlive databases: drop those compose-roles.sql logs in as (and the databases they
    // own, this check's), so that a grant taken out of the file is missing here too.
    const logins = [...rolesSql.matchAll(/create role (\w+) login/g)].map((m) => m[1]);
    const { rows } = await admin.query("select datname from pg_database where datname like 'weft\\_infra\\_check\\_%'");
    for (const { datname } of rows) await admin.query(`drop database ${datname} with (force)`);
    for (const role of logins) await admin.query(`drop role if exists ${role}`);
    await admin.query(`create database ${database}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const inDb = new pg.Client({ connectionString: url.href });
  await inDb.connect();
  await inDb.query(rolesSql).finally(() => inDb.end());

  const passwords = new Map([...rolesSql.matchAll(/create role (\w+) login password '([^']*)'/g)].map((m) => [m[1], m[2]]));
  const envFor = (run) => {
    const own = new URL(run.env.DATABASE_URL);
    if (!passwords.has(own.username)) throw new Error(`${run.where}: connects as ${own.username}, a role compose-roles.sql does not create`);
    const target = new URL(url.href);
    target.username = own.username;
    target.password = passwords.get(own.username);
    return { ...run.env, DATABASE_URL: target.href };
  };
  const one = (command) => runs.find((r) => r.command === command);
  const [migrateRun, serverRun, workerRun] = ["migrate", "server", "worker"].map(one);
  const running = [];
  const stopAll = () => running.forEach((p) => p.child.kill("SIGKILL"));
  try {
    const early = start(imageDir, workerRun, envFor(workerRun));
    const earlyCode = await within(20_000, early.exited, `${early.label} (before the migration)`);
    if (earlyCode === 0 || !/schema "weft" does not exist/.test(early.output.text)) {
      throw new Error(`${early.label}: before the migration, expected it to fail on the missing schema (so that Kubernetes restarts it); exited ${earlyCode}\n${early.output.text}`);
    }
    console.log(`infra: ${early.label}: before the migration, exited ${earlyCode}: ${early.output.text.trim().split("\n").at(-1)}`);

    // The server's port: the manifests' own is checked statically; here a free one, since the
    // machine is shared. --port wins over WEFT_PORT, as commander's precedence goes.
    const port = await freePort();
    const server = start(imageDir, serverRun, envFor(serverRun), ["--port", String(port)]);
    running.push(server);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(15_000, `${server.label}: /healthz`, async () => (await status(`${base}/healthz`)) === 200).catch((e) => {
      throw new Error(`${e.message}\n${server.output.text}`);
    });
    const unready = await status(`${base}/readyz`);
    if (unready !== 503) throw new Error(`${server.label}: /readyz answered ${unready} before the migration, expected 503`);

    const migrate = start(imageDir, migrateRun, envFor(migrateRun));
    const code = await within(60_000, migrate.exited, migrate.label);
    if (code !== 0 || !/schema weft is up to date/.test(migrate.output.text)) throw new Error(`${migrate.label}: exited ${code}\n${migrate.output.text}`);
    await waitFor(10_000, `${server.label}: /readyz after the migration`, async () => (await status(`${base}/readyz`)) === 200);

    const worker = start(imageDir, workerRun, envFor(workerRun));
    running.push(worker);
    await waitFor(20_000, `${worker.label}: serving`, async () => /serving task queue/.test(worker.output.text) || worker.child.exitCode !== null).then(() => {
      if (worker.child.exitCode !== null) throw new Error(`${worker.label}: exited ${worker.child.exitCode}\n${worker.output.text}`);
    });

    if (endToEnd) await orderOverHttp(imageDir, migrateRun, envFor(migrateRun), base);

    for (const process of [worker, server]) {
      process.child.kill("SIGTERM");
      const exit = await within(20_000, process.exited, `${process.label} (stopping on SIGTERM)`);
      if (exit !== 0) throw new Error(`${process.label}: exited ${exit} on SIGTERM\n${process.output.text}`);
    }
  } finally {
    stopAll();
  }
}

/** The example's order workflow through the server, with a key the owner creates (`weft apikey create`). */
async function orderOverHttp(imageDir, migrateRun, ownerEnv, base) {
  const keyRun = { where: "check", argv: ["apikey", "create", "--name", "infra-check", "--role", "write"] };
  const created = start(imageDir, keyRun, { DATABASE_URL: ownerEnv.DATABASE_URL });
  if ((await within(20_000, created.exited, created.label)) !== 0) throw new Error(`${created.label}\n${created.output.text}`);
  const key = created.output.stdout.trim();
  const call = async (method, route, body) => {
    const response = await fetch(`${base}/api/v1/namespaces/default${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body && JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  };
  const workflowId = `infra-check-${process.pid}`;
  const started = await call("POST", "/workflows", { workflowType: "order", args: [{ orderId: 1 }], workflowId });
  if (started.status !== 201) throw new Error(`starting an order workflow: ${started.status} ${JSON.stringify(started.body)}`);
  const signalled = await call("POST", `/workflows/${workflowId}/signals/approve`, { args: [] });
  if (signalled.status !== 202) throw new Error(`signalling it: ${signalled.status} ${JSON.stringify(signalled.body)}`);
  const result = await call("GET", `/workflows/${workflowId}/result?waitSeconds=30`);
  if (result.body?.status !== "completed") throw new Error(`its result: ${result.status} ${JSON.stringify(result.body)}`);
}
