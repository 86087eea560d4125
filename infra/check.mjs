// CI's check of the deploy files (.ci/run, stage "infra"): parses infra/Dockerfile,
// infra/compose.yaml and the kustomize base infra/k8s against what weft really has (its
// subcommands, options and env names, its packages), then runs their commands against a real
// PostgreSQL (the checkout's embedded one, whatever DATABASE_URL says) from an /app assembled as the
// Dockerfile assembles it. Needs `pnpm build` first. `--static` skips the runs. Exit 1 on any problem.
import { checkCompose, checkDockerfile, checkKustomize } from "./check/static.mjs";
import { assembleImage, openServer, runSource } from "./check/run.mjs";
import { ciPnpmVersion, cliSurface } from "./check/surface.mjs";
import fs from "node:fs";
import path from "node:path";

const log = (line) => console.log(`infra: ${line}`);
const cli = cliSurface();
const dockerfile = checkDockerfile();
const compose = checkCompose(cli);
const k8s = checkKustomize(cli);
const problems = [...dockerfile.problems, ...compose.problems, ...k8s.problems];
for (const problem of problems) console.error(`infra: ${problem}`);
if (problems.length > 0) process.exit(1);
log(`Dockerfile, compose.yaml and k8s read: ${compose.runs.length + k8s.runs.length} weft commands, each a real subcommand with real options and env names`);
if (process.argv.includes("--static")) process.exit(0);

const started = Date.now();
const imageDir = assembleImage(dockerfile.stages, ciPnpmVersion(), log);
log(`assembled the image's /app in ${((Date.now() - started) / 1000).toFixed(1)} s`);
const server = await openServer();
const rolesSql = fs.readFileSync(compose.initSql, "utf8");
try {
  for (const [source, runs] of [["compose", compose.runs], ["k8s", k8s.runs]]) {
    await runSource(server.url, imageDir, source, runs, rolesSql, { endToEnd: source === "compose" });
    log(`${source}: a worker before the migration exited non-zero, the server was unready until \`weft migrate\` ran, then ready; the worker served${source === "compose" ? ", an order workflow completed over HTTP" : ""}; both stopped cleanly on SIGTERM`);
  }
} catch (error) {
  console.error(`infra: ${error.message}`);
  process.exitCode = 1;
} finally {
  await server.stop();
}
// Every stage's directory (.scratch/infra-image), kept for a look when something failed.
if (!process.exitCode) fs.rmSync(path.dirname(imageDir), { recursive: true });
if (!process.exitCode) log(`all checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
