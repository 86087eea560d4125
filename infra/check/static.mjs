// The checks that read the deploy files: infra/Dockerfile, infra/compose.yaml and the kustomize
// base infra/k8s. Each returns its problems as sentences, and the commands it found (`runs`),
// which run.mjs then starts against a real database.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { ciPnpmVersion, execForm, parseDockerfile, ROOT, runtimeClosure, workspacePackages } from "./surface.mjs";

const WEFT_IMAGE_DIR = "/app"; // the Dockerfile's WORKDIR, checked below
const read = (file) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** A `weft` invocation: argv against the CLI's surface, env names against what it reads. */
function checkInvocation(where, argv, env, cli, problems) {
  const name = cli.has(`${argv[0]} ${argv[1]}`) ? `${argv[0]} ${argv[1]}` : argv[0];
  const command = cli.get(name);
  if (!command) {
    problems.push(`${where}: runs \`weft ${argv.join(" ")}\`, but weft has no command ${argv[0]} (it has: ${[...cli.keys()].join(", ")})`);
    return undefined;
  }
  const flags = new Map();
  const rest = argv.slice(name.split(" ").length);
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] = rest[i].split(/=(.*)/s);
    const option = command.options.get(flag);
    if (!option) {
      problems.push(`${where}: \`weft ${name}\` has no option ${flag} (it has: ${[...command.options.keys()].join(", ")})`);
      continue;
    }
    const value = option.takesValue ? (inline ?? rest[++i]) : true;
    if (value === undefined) problems.push(`${where}: ${flag} needs a value`);
    flags.set(flag, value);
  }
  const reads = new Map([...command.options].filter(([, o]) => o.env).map(([flag, o]) => [o.env, flag]));
  for (const key of Object.keys(env)) {
    if (!reads.has(key)) problems.push(`${where}: sets ${key}, which \`weft ${name}\` does not read (it reads: ${[...reads.keys()].join(", ") || "nothing"})`);
  }
  const setting = (flag) => flags.get(flag) ?? env[command.options.get(flag)?.env] ?? command.options.get(flag)?.default;
  if (command.options.has("--database-url") && name !== "dev" && setting("--database-url") === undefined) {
    problems.push(`${where}: \`weft ${name}\` needs DATABASE_URL or --database-url`);
  }
  if (name === "worker") {
    const module = flags.get("--module");
    if (!module) problems.push(`${where}: \`weft worker\` needs --module`);
    else if (!module.startsWith(`${WEFT_IMAGE_DIR}/`) || !fs.existsSync(path.join(ROOT, module.slice(WEFT_IMAGE_DIR.length)))) {
      problems.push(`${where}: --module ${module} is not a file the image holds (built files under ${WEFT_IMAGE_DIR}/)`);
    }
  }
  if (name === "server" && !["0.0.0.0", "::"].includes(setting("--host"))) {
    problems.push(`${where}: the server listens on ${setting("--host")}, unreachable from outside its container; give --host 0.0.0.0 or WEFT_HOST`);
  }
  return { name, flags, setting };
}

export function checkDockerfile() {
  const problems = [];
  const text = read("infra/Dockerfile");
  const { stages, globalArgs, comments, instructions } = parseDockerfile(text);
  const all = stages.flatMap((s) => s.instructions.map((i) => ({ ...i, stage: s.name })));
  const runs = all.filter((i) => i.keyword === "RUN").map((i) => i.args);
  const final = stages.at(-1);
  const last = (keyword) => {
    for (let s = final; s; s = s.base) {
      const found = s.instructions.filter((i) => i.keyword === keyword).at(-1);
      if (found) return found.args;
    }
    return undefined;
  };
  let root = final;
  while (root.base) root = root.base;
  if (!/^node:22([.-]|$)/.test(root.from)) problems.push(`Dockerfile: the final image is based on ${root.from}, not Node 22`);
  if (stages.length < 3) problems.push(`Dockerfile: ${stages.length} stages; expected a build, a production-dependency and a runtime stage`);
  if (globalArgs.PNPM_VERSION !== ciPnpmVersion()) problems.push(`Dockerfile: pnpm ${globalArgs.PNPM_VERSION}, but .ci/run pins ${ciPnpmVersion()}`);
  if (!runs.some((r) => /pnpm install --frozen-lockfile/.test(r) && !/--prod/.test(r))) problems.push("Dockerfile: no `pnpm install --frozen-lockfile` for the build");
  if (!runs.some((r) => /\bpnpm build\b/.test(r))) problems.push("Dockerfile: no `pnpm build`");
  const prune = all.find((i) => i.keyword === "RUN" && /pnpm install .*--prod/.test(i.args));
  if (!prune) problems.push("Dockerfile: no `pnpm install --prod`: the image would carry the dev dependencies");
  for (const dir of workspacePackages().keys()) {
    if (!new RegExp(`^COPY (--\\S+ )*(\\S+ )*${dir}/package\\.json `, "m").test(instructions.join("\n"))) {
      problems.push(`Dockerfile: does not copy ${dir}/package.json, so --frozen-lockfile cannot install the workspace`);
    }
  }
  if (instructions.some((line) => /^(ENV|ARG)\b.*\bDATABASE_URL\b/.test(line))) problems.push("Dockerfile: bakes DATABASE_URL into the image");
  if (last("WORKDIR") !== WEFT_IMAGE_DIR) problems.push(`Dockerfile: the final WORKDIR is ${last("WORKDIR")}, expected ${WEFT_IMAGE_DIR}`);
  const user = last("USER");
  if (!user || !/^[1-9]\d*(:\d+)?$/.test(user)) problems.push(`Dockerfile: the final stage runs as ${user ?? "root"}; expected a numeric non-root USER (runAsNonRoot can verify only a number)`);
  const entrypoint = last("ENTRYPOINT");
  if (JSON.stringify(entrypoint && execForm(entrypoint)) !== JSON.stringify(["node", "cli/dist/main.js"])) {
    problems.push(`Dockerfile: ENTRYPOINT is ${entrypoint}, expected ["node", "cli/dist/main.js"] (the weft command)`);
  }
  if (!final.instructions.some((i) => i.keyword === "HEALTHCHECK") && !comments.some((c) => /HEALTHCHECK/.test(c))) {
    problems.push("Dockerfile: neither a HEALTHCHECK nor a comment saying why there is none");
  }
  // Every workspace package weft and the example module load, with the files it ships.
  const packages = workspacePackages();
  const copied = final.instructions.filter((i) => i.keyword === "COPY" && /--from=/.test(i.args)).map((i) => i.args.split(/\s+/).at(-2));
  for (const dir of runtimeClosure(packages, ["@weft/cli", "@weft/examples"])) {
    for (const file of packages.get(dir).files ?? ["dist"]) {
      if (!copied.includes(`${WEFT_IMAGE_DIR}/${dir}/${file}`)) problems.push(`Dockerfile: the final stage does not copy ${dir}/${file}, which ${packages.get(dir).name} needs at run time`);
    }
  }
  const ignore = fs.existsSync(path.join(ROOT, ".dockerignore")) ? read(".dockerignore").split("\n") : [];
  for (const entry of ["**/node_modules", "**/dist", ".git"]) {
    if (!ignore.includes(entry)) problems.push(`.dockerignore: does not exclude ${entry}`);
  }
  return { problems, stages };
}

export function checkCompose(cli) {
  const problems = [];
  const compose = YAML.parse(read("infra/compose.yaml"), { merge: true });
  const services = compose.services ?? {};
  const runs = [];
  const postgres = Object.entries(services).find(([, s]) => /^postgres:/.test(s.image ?? ""));
  const major = Number(postgres?.[1].image.match(/^postgres:(\d+)/)?.[1]);
  if (!postgres) problems.push("compose: no postgres service");
  else if (!(major >= 16)) problems.push(`compose: ${postgres[1].image} is older than PostgreSQL 16`);
  const initSql = (postgres?.[1].volumes ?? []).map((v) => v.split(":")).find(([, target]) => target?.startsWith("/docker-entrypoint-initdb.d/"));
  if (initSql && !fs.existsSync(path.resolve(ROOT, "infra", initSql[0]))) problems.push(`compose: mounts ${initSql[0]}, which does not exist`);
  const weftServices = Object.entries(services).filter(([, s]) => s.build?.dockerfile === "infra/Dockerfile" || s.image === services.migrate?.image);
  for (const [name, service] of weftServices) {
    if (service.build && (path.resolve(ROOT, "infra", service.build.context) !== ROOT || service.build.dockerfile !== "infra/Dockerfile")) {
      problems.push(`compose: ${name} does not build infra/Dockerfile from the repository root`);
    }
    if (!Array.isArray(service.command)) {
      problems.push(`compose: ${name}'s command is not a list of arguments to the weft entrypoint`);
      continue;
    }
    const env = service.environment ?? {};
    const found = checkInvocation(`compose ${name}`, service.command, env, cli, problems);
    if (found) runs.push({ where: `compose ${name}`, command: found.name, argv: service.command, env, ...found });
  }
  const byCommand = (command) => runs.filter((r) => r.command === command);
  const [migrate] = byCommand("migrate");
  if (!migrate) problems.push("compose: no service runs `weft migrate`");
  for (const run of [...byCommand("server"), ...byCommand("worker")]) {
    const name = run.where.replace("compose ", "");
    const waits = services[name].depends_on?.[migrate?.where.replace("compose ", "")];
    if (waits?.condition !== "service_completed_successfully") problems.push(`compose: ${name} does not wait for the migration to complete successfully`);
  }
  if (migrate && postgres && services[migrate.where.replace("compose ", "")].depends_on?.[postgres[0]]?.condition !== "service_healthy") {
    problems.push("compose: the migration does not wait for PostgreSQL to be healthy");
  }
  for (const run of byCommand("server")) {
    const service = services[run.where.replace("compose ", "")];
    const port = String(run.setting("--port"));
    const probe = JSON.stringify(service.healthcheck?.test ?? "");
    if (!probe.includes(`:${port}/readyz`)) problems.push(`${run.where}: its healthcheck does not ask /readyz on port ${port}, where the server listens`);
    if (!(service.ports ?? []).some((p) => String(p).split(":").at(-1) === port)) problems.push(`${run.where}: publishes no port onto ${port}, where the server listens`);
  }
  for (const run of byCommand("worker")) {
    const service = services[run.where.replace("compose ", "")];
    if (service.container_name || service.ports) problems.push(`${run.where}: a container_name or published ports stop it scaling (--scale)`);
  }
  return { problems, runs, initSql: initSql && path.resolve(ROOT, "infra", initSql[0]) };
}

export function checkKustomize(cli) {
  const problems = [];
  const dir = path.join(ROOT, "infra/k8s");
  const kustomization = YAML.parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8"));
  const missing = kustomization.resources.filter((file) => !fs.existsSync(path.join(dir, file)));
  if (missing.length) return { problems: [`k8s: kustomization.yaml lists ${missing.join(", ")}, not there`], runs: [] };
  const objects = kustomization.resources.flatMap((file) =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8")).map((doc) => ({ file, ...doc.toJS() })),
  );
  // kubectl kustomize, where installed, builds the same objects (a typo in a transformer fails).
  try {
    const built = YAML.parseAllDocuments(execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })).map((d) => d.toJS());
    const names = (list) => list.map((o) => `${o.kind}/${o.metadata.name}`).sort().join(" ");
    if (names(built) !== names(objects)) problems.push(`k8s: kubectl kustomize builds ${names(built)}, the resources list ${names(objects)}`);
  } catch (error) {
    if (error.code !== "ENOENT") problems.push(`k8s: kubectl kustomize fails: ${error.stderr || error.message}`);
  }
  const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const runs = [];
  for (const object of objects.filter((o) => ["Job", "Deployment"].includes(o.kind))) {
    const pod = object.spec.template.spec;
    const where = `k8s ${object.kind}/${object.metadata.name}`;
    if (pod.securityContext?.runAsNonRoot !== true || !(pod.securityContext?.runAsUser > 0)) problems.push(`${where}: the pod does not set runAsNonRoot and a non-zero runAsUser`);
    for (const container of pod.containers) {
      const at = `${where} container ${container.name}`;
      const sc = container.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false || sc.readOnlyRootFilesystem !== true) problems.push(`${at}: allowPrivilegeEscalation is not false or readOnlyRootFilesystem not true`);
      if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory) problems.push(`${at}: no cpu and memory requests`);
      if (container.image.split(":")[0] !== "weft" || container.command) problems.push(`${at}: runs ${container.image} ${container.command ?? ""}, not the weft image's entrypoint`);
      if (!kustomization.images?.some((i) => i.name === container.image)) problems.push(`${at}: image ${container.image} is not one kustomization.yaml's images sets`);
      const env = {};
      for (const entry of container.env ?? []) {
        const ref = entry.valueFrom?.secretKeyRef;
        if (ref && find("Secret", ref.name)?.stringData?.[ref.key] === undefined) problems.push(`${at}: ${entry.name} refers to key ${ref.key} of Secret ${ref.name}, which is not there`);
        env[entry.name] = ref ? find("Secret", ref.name)?.stringData?.[ref.key] : entry.value;
      }
      for (const from of container.envFrom ?? []) {
        const map = find("ConfigMap", from.configMapRef?.name);
        if (!map) problems.push(`${at}: envFrom names ConfigMap ${from.configMapRef?.name}, which is not there`);
        Object.assign(env, map?.data);
      }
      const found = checkInvocation(at, container.args ?? [], env, cli, problems);
      if (!found) continue;
      runs.push({ where: at, command: found.name, argv: container.args, env, ...found });
      if (object.kind === "Job" && found.name !== "migrate") problems.push(`${at}: a Job that is not the migration`);
      if (found.name !== "server") continue;
      const port = Number(found.setting("--port"));
      const portOf = (p) => (typeof p === "number" ? p : container.ports?.find((c) => c.name === p)?.containerPort);
      if (!container.ports?.some((p) => p.containerPort === port)) problems.push(`${at}: declares no containerPort ${port}, where the server listens`);
      for (const [probe, route] of [["readinessProbe", "/readyz"], ["livenessProbe", "/healthz"]]) {
        const get = container[probe]?.httpGet;
        if (get?.path !== route || portOf(get?.port) !== port) problems.push(`${at}: ${probe} asks ${get?.path} on port ${get?.port}; expected ${route} on ${port}, where the server listens`);
      }
      const service = objects.find((o) => o.kind === "Service" && Object.entries(o.spec.selector ?? {}).every(([k, v]) => object.spec.template.metadata.labels?.[k] === v));
      if (!service || !service.spec.ports.every((p) => portOf(p.targetPort) === port)) problems.push(`${at}: no Service sends traffic to port ${port}`);
    }
  }
  for (const command of ["migrate", "server", "worker"]) {
    if (!runs.some((r) => r.command === command)) problems.push(`k8s: nothing runs \`weft ${command}\``);
  }
  const worker = objects.find((o) => o.kind === "Deployment" && runs.some((r) => r.command === "worker" && r.where.includes(o.metadata.name)));
  if (worker && !(worker.spec.replicas >= 1)) problems.push(`k8s ${worker.metadata.name}: replicas not set`);
  // Each component its own role (docs/security.md): three different users.
  const users = new Set(["migrate", "server", "worker"].map((c) => runs.find((r) => r.command === c)?.env.DATABASE_URL).filter(Boolean).map((u) => new URL(u).username));
  if (users.size !== 3) problems.push("k8s: the migration, the server and the workers do not connect as three different roles");
  return { problems, runs };
}
