/** Every simulator the fleet launcher knows: one line each. */
import { httpSimulator } from "./http/index.ts";
import { modbusSimulator } from "./modbus/index.ts";
import { mqttSimulator } from "./mqtt/index.ts";
import type { SimulatorDefinition } from "./registry.ts";
import { snmpSimulator } from "./snmp/index.ts";
import { tcpSimulator } from "./tcp/index.ts";

export const simulators: readonly SimulatorDefinition[] = [
  tcpSimulator,
  modbusSimulator,
  httpSimulator,
  mqttSimulator,
  snmpSimulator,
];
