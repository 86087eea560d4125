// The soak workflow and its child, the activity they run, and the result each spec must give.
// The driver starts workflows by name, so only worker processes register the classes.
import {
  registerWorkflow,
  ScheduleActivity,
  StartChildWorkflow,
  type Command,
  type WorkflowClass,
  type WorkflowContext,
  type WorkflowGenerator,
} from "@weft/sdk";
import type { Activities } from "@weft/worker";

export const SOAK_WORKFLOW = "soak";
export const SOAK_CHILD = "soak-child";
export const SOAK_SIGNAL = "sig";
export const TASK_QUEUE = "soak";

/** What one workflow does; chosen at random by the driver (`randomSpec`). */
export interface SoakSpec {
  /** Activities per wave; each wave is one fan-out awaited as a whole. */
  readonly waves: readonly number[];
  /** Signals the workflow waits for; the driver sends exactly this many, numbered 0..nsig-1. */
  readonly nsig: number;
  /** Two timers (0 s and 0-1 s) alongside each wave. */
  readonly timers: boolean;
  /** Activities sleep 0-5 ms now and then, so completions interleave. */
  readonly sleepy: boolean;
  /** Children started with the first wave, ten activities each. */
  readonly children: number;
}

export interface SoakResult {
  readonly sum: number;
  readonly count: number;
  readonly sigsum: number;
  /** Signals seen twice; must stay 0. */
  readonly dups: number;
  /** Signals from rolled-back transactions (negative numbers); must stay 0. */
  readonly bad: number;
}

export function randomSpec(timers: boolean): SoakSpec {
  return {
    waves: Array.from({ length: randomInt(1, 3) }, () => randomInt(20, 100)),
    nsig: randomInt(3, 15),
    timers: timers && Math.random() < 0.4,
    sleepy: Math.random() < 0.7,
    children: Math.random() < 0.15 ? 2 : 0,
  };
}

export function expectedResult(spec: SoakSpec): SoakResult {
  let sum = 0;
  spec.waves.forEach((n, w) => {
    for (let i = 0; i < n; i++) sum += w * 1000 + i + 1;
  });
  for (let c = 0; c < spec.children; c++) for (let i = 0; i < 10; i++) sum += c * 100 + i + 1;
  return { sum, count: spec.nsig, sigsum: (spec.nsig * (spec.nsig - 1)) / 2, dups: 0, bad: 0 };
}

/** Activities in a spec, children's included. */
export const activityCount = (spec: SoakSpec): number => spec.waves.reduce((a, b) => a + b, 0) + spec.children * 10;

export const activities: Activities = {
  step: async (_ctx, v: number, sleepy: boolean) => {
    if (sleepy && Math.random() < 0.7) await new Promise((resolve) => setTimeout(resolve, randomInt(0, 5)));
    return v + 1;
  },
};

/**
 * The workflow classes for one worker process. With `flaky` > 0 a workflow yields, now and
 * then, a value that is no command: the replayer raises, the task rolls back and is retried
 * (fail_workflow_task). It draws at random, so a replay may flake where the first run did not.
 */
export function soakWorkflows(flaky: number): { workflows: WorkflowClass[]; flakes: () => number } {
  let flakes = 0;
  function* maybeFlake(): Generator<Command, void> {
    if (flaky > 0 && Math.random() < flaky) {
      flakes++;
      yield 42 as unknown as Command;
    }
  }

  const Child = registerWorkflow(
    class {
      *run(ctx: WorkflowContext, base: number, n: number): WorkflowGenerator<number> {
        yield* maybeFlake();
        const rs = yield* ctx.all(Array.from({ length: n }, (_, i) => ctx.activity<number>("step", [base + i, true])));
        return rs.reduce((a, b) => a + b, 0);
      }
    },
    { name: SOAK_CHILD },
  );

  const Soak = registerWorkflow(
    class {
      private readonly seen: number[] = [];
      private dups = 0;
      private bad = 0;

      onSignal(k: number): void {
        if (k < 0) this.bad++;
        if (this.seen.includes(k)) this.dups++;
        this.seen.push(k);
      }

      *run(ctx: WorkflowContext, spec: SoakSpec): WorkflowGenerator<SoakResult> {
        let sum = 0;
        for (let w = 0; w < spec.waves.length; w++) {
          const commands: Command[] = Array.from(
            { length: spec.waves[w]! },
            (_, i) => new ScheduleActivity("step", [w * 1000 + i, spec.sleepy]),
          );
          if (spec.timers) commands.push(ctx.sleep(0), ctx.sleep(w % 2));
          if (w === 0) {
            for (let c = 0; c < spec.children; c++) commands.push(new StartChildWorkflow(SOAK_CHILD, [c * 100, 10]));
          }
          yield* maybeFlake();
          // A plain yield of an array: the results come back as unknown, one per command.
          const results = (yield commands) as unknown[];
          for (const r of results) if (typeof r === "number") sum += r;
        }
        yield* maybeFlake();
        yield ctx.waitCondition(() => this.seen.length >= spec.nsig);
        yield* maybeFlake();
        const sigsum = this.seen.reduce((a, b) => a + b, 0);
        return { sum, count: this.seen.length, sigsum, dups: this.dups, bad: this.bad };
      }
    },
    { name: SOAK_WORKFLOW, signals: { [SOAK_SIGNAL]: "onSignal" } },
  );

  return { workflows: [Soak, Child], flakes: () => flakes };
}

export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
