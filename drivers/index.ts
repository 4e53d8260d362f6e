/** Every driver the daemon knows: one line each. The core reads nothing else about protocols. */
import { httpDriver } from "./http/index.ts";
import { manualDriver } from "./manual/index.ts";
import { modbusDriver } from "./modbus/index.ts";
import { mqttDriver } from "./mqtt/index.ts";
import type { DriverDefinition, DriverService, ServiceContext } from "./registry.ts";
import { snmpDriver } from "./snmp/index.ts";
import { tcpDriver } from "./tcp/index.ts";

export const drivers: readonly DriverDefinition[] = [
  snmpDriver,
  modbusDriver,
  httpDriver,
  mqttDriver,
  tcpDriver,
  manualDriver,
];

export function findDriver(protocol: string): DriverDefinition | undefined {
  return drivers.find((d) => d.protocol === protocol);
}

/**
 * Starts every driver's service (see DriverDefinition.startService), by protocol. Never rejects:
 * a service that cannot start is logged and left out; services only speed detection up.
 */
export async function startDriverServices(ctx: ServiceContext): Promise<Map<string, DriverService>> {
  const started = new Map<string, DriverService>();
  for (const d of drivers) {
    if (!d.startService) continue;
    try {
      const service = await d.startService(ctx);
      if (service) started.set(d.protocol, service);
    } catch (err) {
      ctx.log.error({ err, protocol: d.protocol }, "driver service did not start; polling without it");
    }
  }
  return started;
}

export type { DriverService } from "./registry.ts";
