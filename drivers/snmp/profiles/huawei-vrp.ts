/**
 * Huawei VRP (HUAWEI-ENTITY-EXTENT-MIB, HUAWEI-POE-MIB): CPU, memory, temperature per entity,
 * fans (index slot.fan), PSUs, PoE port power where the model has it.
 */
import { type Block, gauge } from "../profile.ts";
import { ENT_PHYSICAL_NAME, entityRules } from "./h3c-comware.ts";

export const HW = {
  cpuUsage: "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5",
  memUsage: "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7",
  temperature: "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.11",
  fanState: "1.3.6.1.4.1.2011.5.25.31.1.1.10.1.7",
  pwrState: "1.3.6.1.4.1.2011.5.25.31.1.1.18.1.6",
  poePortConsumingPower: "1.3.6.1.4.1.2011.5.25.195.3.1.10",
} as const;

export function huaweiVrp(options: { poe?: boolean } = {}): Block {
  return {
    name: "huaweiVrp",
    metrics: [
      gauge("cpu_usage_percent", "percent", "CPU usage per entity (hwEntityCpuUsage).", ["entity"]),
      gauge("memory_usage_percent", "percent", "Memory usage per entity (hwEntityMemUsage).", ["entity"]),
      gauge("temperature_celsius", "°C", "Entity temperature (hwEntityTemperature).", ["entity"]),
      gauge("fan_ok", "bool", "Fan normal (hwEntityFanState).", ["fan"]),
      gauge("psu_ok", "bool", "Power supply supplying (hwEntityPwrState).", ["psu"]),
      ...(options.poe
        ? [gauge("poe_power_watts", "W", "PoE power per port (hwPoePortConsumingPower).", ["port"])]
        : []),
    ],
    tables: [
      {
        label: "entity",
        labelOid: ENT_PHYSICAL_NAME,
        columns: [
          // Rows without a CPU/memory read 0; LibreNMS treats 0 and >= 2147483646 temperatures as invalid.
          { metric: "cpu_usage_percent", oid: HW.cpuUsage, skip: [0] },
          { metric: "memory_usage_percent", oid: HW.memUsage, skip: [0] },
          { metric: "temperature_celsius", oid: HW.temperature, skip: [0, 2147483646, 2147483647] },
        ],
      },
      // normal(1) / abnormal(2)
      { label: "fan", columns: [{ metric: "fan_ok", oid: HW.fanState, map: { 1: 1, 2: 0 } }] },
      // supply(1) / notSupply(2); sleep(3) and unknown(4) are not reported
      { label: "psu", columns: [{ metric: "psu_ok", oid: HW.pwrState, map: { 1: 1, 2: 0 } }] },
      ...(options.poe
        ? [
            {
              label: "port",
              columns: [{ metric: "poe_power_watts", oid: HW.poePortConsumingPower, scale: 0.001 }],
            },
          ]
        : []),
    ],
    rules: entityRules(),
  };
}
