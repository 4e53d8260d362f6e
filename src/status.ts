/**
 * The latest known state of every device, in memory: what /api/v1/devices shows and what the
 * Prometheus collector reads. Updated by the pipeline on every outcome.
 */
import type { PollErrorKind } from "./core/errors.ts";
import { type PollOutcome, sameShape } from "./core/outcome.ts";
import type { Sample } from "./core/types.ts";

export interface DeviceStatus {
  id: string;
  /** null until the first poll (or forever for manual devices). */
  up: boolean | null;
  lastPollAt: number | null;
  lastDurationMs: number | null;
  lastError: { kind: PollErrorKind; message: string; at: number } | null;
  /**
   * Samples of the last successful poll, with its time. The board's own objects, updated in place
   * while the device's samples keep their shape: read them when asked, copy what must be kept.
   */
  latest: { at: number; samples: Sample[] } | null;
  consecutiveFailures: number;
}

/**
 * The latest samples of a successful poll, in the board's own objects. While a device's samples
 * keep their shape (the same metric and labels object at every position, as drivers hand them
 * over poll after poll) the values are copied into the objects kept from the poll before. The
 * outcome's objects then die young: kept for a whole interval, every device's samples of every
 * poll would be copied by the young generation's collections and promoted to the old one, to be
 * freed only by a full collection.
 */
function keepLatest(
  latest: DeviceStatus["latest"],
  outcome: PollOutcome,
): NonNullable<DeviceStatus["latest"]> {
  const samples = outcome.samples;
  if (latest !== null && sameShape(latest.samples, samples)) {
    const kept = latest.samples;
    for (let i = 0; i < samples.length; i++) kept[i]!.value = samples[i]!.value;
    latest.at = outcome.startedAt;
    return latest;
  }
  return {
    at: outcome.startedAt,
    samples: samples.map((s) =>
      s.labels === undefined
        ? { metric: s.metric, value: s.value }
        : { metric: s.metric, value: s.value, labels: s.labels },
    ),
  };
}

export class StatusBoard {
  private readonly devices = new Map<string, DeviceStatus>();

  constructor(deviceIds: readonly string[]) {
    for (const id of deviceIds)
      this.devices.set(id, {
        id,
        up: null,
        lastPollAt: null,
        lastDurationMs: null,
        lastError: null,
        latest: null,
        consecutiveFailures: 0,
      });
  }

  record(outcome: PollOutcome): void {
    const status = this.devices.get(outcome.deviceId);
    if (!status) return;
    status.lastPollAt = outcome.finishedAt;
    status.lastDurationMs = outcome.finishedAt - outcome.startedAt;
    if (outcome.error) {
      status.up = false;
      status.consecutiveFailures++;
      status.lastError = { kind: outcome.error.kind, message: outcome.error.message, at: outcome.finishedAt };
    } else {
      status.up = true;
      status.consecutiveFailures = 0;
      status.latest = keepLatest(status.latest, outcome);
    }
  }

  get(id: string): DeviceStatus | undefined {
    return this.devices.get(id);
  }

  all(): IterableIterator<DeviceStatus> {
    return this.devices.values();
  }
}
