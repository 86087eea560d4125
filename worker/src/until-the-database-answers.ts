/**
 * Runs `attempt` until it succeeds, waiting 250 ms, then twice as long each time up to 5 s,
 * between tries. For work that must reach the database eventually and has no job to retry it.
 * Gives up, returning false, once `stopping()` says so after a failure.
 */
export async function untilTheDatabaseAnswers(
  attempt: () => Promise<void>,
  stopping: () => boolean,
  onFailure: (error: Error) => void = () => {},
): Promise<boolean> {
  for (let waitMs = 250; ; waitMs = Math.min(2 * waitMs, 5000)) {
    try {
      await attempt();
      return true;
    } catch (error) {
      if (stopping()) return false;
      onFailure(error as Error);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
