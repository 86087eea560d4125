// Which errors are the database or network failing (retry the job later, record nothing) and
// which are the workflow's code or data (record on the run, where describe() shows them).

const TRANSIENT_SQLSTATE_CLASSES = ["08", "40", "53", "55", "57", "58", "XX"];
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN"]);

export function isInfrastructureError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string") {
    const message = error instanceof Error ? error.message : "";
    return /Connection terminated|Client has encountered a connection error|connection is closed/i.test(message);
  }
  if (NETWORK_CODES.has(code)) return true;
  return code.length === 5 && TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2));
}
