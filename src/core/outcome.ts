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
