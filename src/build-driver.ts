/**
 * The one way to build a device's driver from its validated config: the daemon (every device at
 * start) and `emcomm poll` both call it. No I/O happens here; connections open on the first poll.
 */
import { findDriver } from "../drivers/index.ts";
import { type DeviceConfig, pollTimeoutMs } from "./config/schema.ts";
import type { Driver, DriverContext } from "./core/types.ts";

export function buildDriver(device: DeviceConfig, ctx: DriverContext): Driver {
  const definition = findDriver(device.driver.protocol as string);
  if (!definition) throw new Error(`device ${device.id}: no driver for protocol ${device.driver.protocol}`);
  return definition.create(
    {
      id: device.id,
      site: device.site,
      kind: device.kind,
      intervalMs: device.interval,
      timeoutMs: pollTimeoutMs(device),
      options: device.driver,
    },
    { ...ctx, log: ctx.log.child({ device: device.id }) },
  );
}
