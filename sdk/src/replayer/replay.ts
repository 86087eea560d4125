import type { WireCommand } from "../wire.js";
import type { HistoryEvent } from "../history.js";
import type { Logger } from "../workflow/context.js";
import type { WorkflowDefinition } from "../workflow/definition.js";
import { WorkflowMachine } from "./machine.js";

export interface ReplayOptions {
  runId: string;
  logger?: Logger;
  /**
   * True (the worker's case): the last task's events were just moved in and the commands the
   * code now yields are new. False: every task is checked against history (replay tests).
   */
  lastTaskIsNew?: boolean;
}

export interface ReplayResult {
  /** New commands of the last task; empty when `lastTaskIsNew` is false. */
  readonly commands: WireCommand[];
  /** Signals in the last task that no handler took; kept in history and reported. */
  readonly unhandledSignals: readonly { eventId: number; signalName: string }[];
  readonly finished: boolean;
}

/**
 * Replays a run's history through its workflow code: history in, new commands out.
 * Throws NonDeterminismError when the code disagrees with history, WorkflowTaskError when the
 * code misbehaves in a way that is not the workflow's own failure.
 */
export function replay(
  definition: WorkflowDefinition,
  history: readonly HistoryEvent[],
  options: ReplayOptions,
): ReplayResult {
  const machine = new WorkflowMachine(definition, options.runId, options.logger ?? silentLogger);
  return continueReplay(machine, history, options.lastTaskIsNew !== false);
}

/**
 * Feeds the events that follow what `machine` has seen (whole tasks) into it: how a worker
 * resumes a workflow it keeps in memory instead of replaying it from the start.
 */
export function continueReplay(machine: WorkflowMachine, events: readonly HistoryEvent[], lastTaskIsNew: boolean): ReplayResult {
  const tasks = groupByTask(events);
  let commands: WireCommand[] = [];
  let unhandledSignals: ReplayResult["unhandledSignals"] = [];
  tasks.forEach((taskEvents, index) => {
    const isNew = lastTaskIsNew && index === tasks.length - 1;
    ({ commands, unhandledSignals } = machine.applyTask(taskEvents, !isNew));
  });
  return { commands, unhandledSignals, finished: machine.isFinished };
}

function groupByTask(history: readonly HistoryEvent[]): HistoryEvent[][] {
  const tasks: HistoryEvent[][] = [];
  for (const event of history) {
    const last = tasks.at(-1);
    if (last && last[0]!.task === event.task) last.push(event);
    else tasks.push([event]);
  }
  return tasks;
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
