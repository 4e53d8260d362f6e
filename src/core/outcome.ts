import type { PollError } from "./errors.ts";
import type { Sample } from "./types.ts";

/**
 * The result of one look at a device: a poll (scheduled or requested by a trap) or a batch a
 * streamed driver heard. Everything downstream (status, metrics, health, tickets, sinks) consumes
 * these through the Pipeline.
 */
export interface PollOutcome {
  deviceId: string;
  trigger: "schedule" | "request" | "stream";
  /** When the poll started (ms since epoch); for streams, when the data was measured. */
  startedAt: number;
  finishedAt: number;
  samples: Sample[];
  /** Present when the poll failed; samples are then empty, or only counters that changed with it. */
  error?: PollError;
}

/**
 * Whether `samples` has the shape of what was kept from a poll before: the same metric and the
 * same labels object at every position. Drivers hand over the same names and labels objects poll
 * after poll while a device's tables do not change, so consumers keep per-device state (the status
 * board's objects, the scrape's lines) and redo it only when this turns false.
 */
export function sameShape(
  kept: readonly { readonly metric: string; readonly labels?: object | undefined }[],
  samples: readonly Sample[],
): boolean {
  if (kept.length !== samples.length) return false;
  for (let i = 0; i < samples.length; i++)
    if (kept[i]!.metric !== samples[i]!.metric || kept[i]!.labels !== samples[i]!.labels) return false;
  return true;
}
