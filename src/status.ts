/**
 * The latest known state of every device, in memory: what /api/v1/devices shows and what the
 * Prometheus collector reads. Updated by the pipeline on every outcome.
 */
import type { PollErrorKind } from "./core/errors.ts";
import type { PollOutcome } from "./core/outcome.ts";
import type { Sample } from "./core/types.ts";

export interface DeviceStatus {
  id: string;
  /** null until the first poll (or forever for manual devices). */
  up: boolean | null;
  lastPollAt: number | null;
  lastDurationMs: number | null;
  lastError: { kind: PollErrorKind; message: string; at: number } | null;
  /** Samples of the last successful poll, with its time. */
  latest: { at: number; samples: Sample[] } | null;
  consecutiveFailures: number;
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
      status.latest = { at: outcome.startedAt, samples: outcome.samples };
    }
  }

  get(id: string): DeviceStatus | undefined {
    return this.devices.get(id);
  }

  all(): IterableIterator<DeviceStatus> {
    return this.devices.values();
  }
}
