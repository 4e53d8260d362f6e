/**
 * A simulator stands in for the devices of one protocol: it serves every device of the inventory
 * that uses that protocol on loopback ports, with believable values, and takes fault injection.
 * The fleet launcher (simulators/fleet.ts) starts one per protocol and points the inventory at it.
 */
import type { Logger } from "pino";
import type { Clock } from "../src/core/clock.ts";

/** A device of the inventory as a simulator sees it: the raw `driver:` block plus identity. */
export interface SimulatedDevice {
  id: string;
  kind: string;
  site: string;
  driver: Record<string, unknown> & { protocol: string; profile?: string };
}

/** Faults every simulator understands; each adds its own (if-down, modem-unlock, on-battery…). */
export const commonFaults = ["silent", "slow", "garbage"] as const;

export interface RunningSimulator {
  protocol: string;
  /** Ids of the devices this simulator serves. */
  devices(): string[];
  /** Driver options that point the device's `driver:` block at the simulator (host, port, credentials). */
  endpoint(deviceId: string): Record<string, unknown>;
  /** Faults this simulator can inject. */
  faults(): readonly string[];
  /** Injects a fault; returns false if the device or fault is unknown here. */
  inject(deviceId: string, fault: string): boolean;
  /** Clears one fault, or all of the device's faults. */
  clear(deviceId: string, fault?: string): void;
  /** Faults currently active on a device. */
  active(deviceId: string): string[];
  stop(): Promise<void>;
}

export interface SimulatorDefinition {
  protocol: string;
  start(devices: SimulatedDevice[], env: { clock: Clock; log: Logger }): Promise<RunningSimulator>;
}

/** Bookkeeping of active faults per device, shared by simulators. */
export class FaultBook {
  private readonly active = new Map<string, Set<string>>();
  constructor(readonly known: readonly string[]) {}

  inject(deviceId: string, fault: string): boolean {
    if (!this.known.includes(fault)) return false;
    const set = this.active.get(deviceId) ?? new Set<string>();
    set.add(fault);
    this.active.set(deviceId, set);
    return true;
  }

  clear(deviceId: string, fault?: string): void {
    if (fault === undefined) this.active.delete(deviceId);
    else this.active.get(deviceId)?.delete(fault);
  }

  has(deviceId: string, fault: string): boolean {
    return this.active.get(deviceId)?.has(fault) ?? false;
  }

  list(deviceId: string): string[] {
    return [...(this.active.get(deviceId) ?? [])];
  }
}
