/**
 * A driver is a folder under drivers/ (definition, transport, codec, profiles/, README) plus one
 * line in drivers/index.ts. The core sees only DriverDefinition: a protocol name, a strict zod
 * schema for the device's `driver:` block, and a factory. Test drivers/index.test.ts
 * checks every definition against this convention.
 */
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { z } from "zod";
import type { Config } from "../src/config/schema.ts";
import type { Clock } from "../src/core/clock.ts";
import type { DeviceModel, Driver, DriverContext } from "../src/core/types.ts";

/** What a driver's factory receives about the device: identity plus its validated `driver:` block. */
export interface DriverDevice<Options> {
  id: string;
  site: string;
  kind: string;
  /** Poll interval and per-poll deadline, already defaulted. */
  intervalMs: number;
  timeoutMs: number;
  options: Options;
}

export interface DriverDefinition<Schema extends z.ZodObject = z.ZodObject> {
  /** The value of `driver.protocol` in the inventory. */
  protocol: string;
  /** Strict object schema of the `driver:` block; must have `protocol: z.literal(protocol)`. */
  options: Schema;
  /** Builds the driver for one device. No I/O here: connections open on first poll or start(). */
  create(device: DriverDevice<z.output<Schema>>, ctx: DriverContext): Driver;
  /** Device models this driver knows, by profile name (for docs, the metric catalogue and tests). */
  profiles(): ReadonlyMap<string, DeviceModel>;
  /**
   * A service the driver runs beside its devices' polls, like Telegraf's service inputs (the SNMP
   * trap receiver). Started once by the daemon after the scheduler; undefined when its config
   * does not enable it. A service that fails to start is logged; polling goes on without it.
   */
  startService?(ctx: ServiceContext): Promise<DriverService | undefined>;
}

export interface ServiceContext {
  /** The whole validated config: the service reads its own block and its devices. */
  config: Config;
  clock: Clock;
  log: Logger;
  registry?: Registry;
  /** Polls the device now; at most one request is queued per device (the scheduler coalesces). */
  requestPoll(deviceId: string): void;
}

export interface DriverService {
  /** The port it listens on, when it listens. */
  readonly port?: number;
  stop(): Promise<void>;
}

/** Identity helper that keeps the schema's type for create(). */
export function defineDriver<Schema extends z.ZodObject>(
  def: DriverDefinition<Schema>,
): DriverDefinition<Schema> {
  return def;
}
