/** Every driver the daemon knows: one line each. The core reads nothing else about protocols. */
import { httpDriver } from "./http/index.ts";
import { manualDriver } from "./manual/index.ts";
import { modbusDriver } from "./modbus/index.ts";
import { mqttDriver } from "./mqtt/index.ts";
import type { DriverDefinition } from "./registry.ts";
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
