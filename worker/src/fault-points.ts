// Named points where crash tests kill a worker between two writes. No-ops unless armed.
// Points: "workflow-task:before-commit", "run-close:before-commit" (a task that closes its
// run: the parent's inbox write rides on it), "activity:before-complete".

export type FaultPoint = "workflow-task:before-commit" | "run-close:before-commit" | "activity:before-complete";

const armed = new Map<FaultPoint, () => void>();

/** Arms `point` (tests only): the next time a worker reaches it, `action` runs. */
export function armFaultPoint(point: FaultPoint, action: () => void = () => process.kill(process.pid, "SIGKILL")): void {
  armed.set(point, action);
}

export function faultPoint(point: FaultPoint): void {
  armed.get(point)?.();
}
