/** Modbus device models by inventory profile name. */
import type { ModbusProfile } from "../profile.ts";
import { bucRs485 } from "./buc-rs485.ts";
import { dseGenerator } from "./dse-generator.ts";
import { upsModbus } from "./ups-modbus.ts";

export const modbusProfiles = {
  "dse-generator": dseGenerator,
  "buc-rs485": bucRs485,
  "ups-modbus": upsModbus,
} as const satisfies Record<string, ModbusProfile>;

export type ModbusProfileName = keyof typeof modbusProfiles;
export const modbusProfileNames = Object.keys(modbusProfiles) as [ModbusProfileName, ...ModbusProfileName[]];
