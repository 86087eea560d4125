// Makes a history recorded from a real run stable across recordings, so that re-recording
// unchanged code rewrites no saved file: ids, times and stack traces are replaced
// deterministically and consistently wherever they appear.
import type { HistoryEvent } from "@weft/sdk";
import { RUN_ID } from "../../../sdk/test/fixtures/saved-history.js";

/** Where normalised time starts: the recorded run's first event. */
const EPOCH = Date.parse("2025-01-01T00:00:00.000Z");
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * - Stack traces (the recording machine's paths) are dropped; replay never reads them.
 * - UUIDs (run ids, also inside child workflow ids, and uuid4 markers) become RUN_ID for the
 *   run itself and RUN_ID's siblings ...0002, ...0003 in order of first appearance.
 * - Database times (createdAt, a timer's fireAt) keep their order and their gaps rounded to
 *   whole seconds; the recorder moves database time by whole seconds and runs each step at
 *   once, so a gap far from a whole second means a slow recording, refused rather than saved.
 * - A `now` marker (the worker's clock) becomes its event's normalised time, also where its
 *   ISO form appears in other values.
 */
export function normaliseHistory(history: readonly HistoryEvent[], runId: string): HistoryEvent[] {
  const events = withoutStacks(history) as HistoryEvent[];
  const time = normalisedTimes(events);
  const nows = new Map<string, string>();
  for (const event of events) {
    if (event.type === "MarkerRecorded" && event.attributes.markerName === "now") {
      const at = time(event.createdAt!);
      nows.set(new Date(event.attributes.value as number).toISOString(), new Date(at).toISOString());
      event.attributes.value = at;
    }
  }
  const ids = new Map([[runId, RUN_ID]]);
  const rename = (text: string) => {
    let out = text;
    for (const [from, to] of nows) out = out.replaceAll(from, to);
    return out.replace(UUID, (id) => {
      if (!ids.has(id)) ids.set(id, `${RUN_ID.slice(0, -12)}${String(ids.size + 1).padStart(12, "0")}`);
      return ids.get(id)!;
    });
  };
  return events.map((event) => {
    const attributes = mapStrings(event.attributes, rename) as Record<string, unknown>;
    if (event.type === "TimerStarted") attributes.fireAt = postgresTime(time(event.attributes.fireAt));
    return { ...event, attributes, createdAt: new Date(time(event.createdAt!)).toISOString() } as HistoryEvent;
  });
}

/** Maps each database time in the history (createdAt, fireAt) to its normalised epoch ms. */
function normalisedTimes(events: readonly HistoryEvent[]): (iso: string) => number {
  const instants = new Set<number>();
  for (const event of events) {
    if (!event.createdAt) throw new Error(`event ${event.eventId} has no createdAt: not a recorded history`);
    instants.add(Date.parse(event.createdAt));
    if (event.type === "TimerStarted") instants.add(Date.parse(event.attributes.fireAt));
  }
  const sorted = [...instants].sort((a, b) => a - b);
  const normalised = new Map<number, number>([[sorted[0]!, EPOCH]]);
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i]! - sorted[i - 1]!;
    const seconds = Math.round(gap / 1000);
    if (Math.abs(gap - seconds * 1000) > 400) {
      throw new Error(`a gap of ${gap} ms between two events is too far from whole seconds to normalise; record again`);
    }
    normalised.set(sorted[i]!, normalised.get(sorted[i - 1]!)! + seconds * 1000);
  }
  return (iso) => normalised.get(Date.parse(iso))!;
}

/** As PostgreSQL writes a timestamptz into jsonb (UTC session, whole seconds). */
function postgresTime(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "+00:00");
}

function withoutStacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStacks);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "stack").map(([k, v]) => [k, withoutStacks(v)]));
}

function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
}
