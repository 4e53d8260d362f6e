/** Every simulator the fleet launcher knows: one line each. */
import type { SimulatorDefinition } from "./registry.ts";
import { snmpSimulator } from "./snmp/index.ts";
import { tcpSimulator } from "./tcp/index.ts";

export const simulators: readonly SimulatorDefinition[] = [tcpSimulator, snmpSimulator];
