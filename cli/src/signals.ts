/** Resolves at the first SIGINT or SIGTERM: how every long-running command waits to stop. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}
