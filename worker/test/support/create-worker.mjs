// A process that calls Worker.create once (argv: <databaseUrl>), prints the outcome as one JSON
// line, and then has nothing left to do: it exits by itself once stdin closes, unless something
// Worker.create started is still running (a pool, a timer, graphile-worker).
import { Worker } from "@weft/worker";

const [databaseUrl] = process.argv.slice(2);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

try {
  const worker = await Worker.create({ databaseUrl, concurrency: 1, pollIntervalMs: 100, logger: quiet });
  console.log(JSON.stringify({ created: worker.workerId }));
  await worker.shutdown();
} catch (error) {
  console.log(JSON.stringify({ name: error.name, message: error.message }));
}
process.stdin.resume();
process.stdin.once("end", () => process.stdin.destroy());
