/**
 * H3C Comware (HH3C-ENTITY-EXT-MIB, HH3C-LswDEVM-MIB, HH3C-POWER-ETH-EXT-MIB): CPU, memory and
 * temperature per entity (labelled by entPhysicalName), fans, PSUs, PoE port power.
 */
import { type Block, gauge, rule } from "../profile.ts";

export const ENT_PHYSICAL_NAME = "1.3.6.1.2.1.47.1.1.1.1.7";

export const HH3C = {
  cpuUsage: "1.3.6.1.4.1.25506.2.6.1.1.1.1.6",
  memUsage: "1.3.6.1.4.1.25506.2.6.1.1.1.1.8",
  temperature: "1.3.6.1.4.1.25506.2.6.1.1.1.1.12",
  fanStatus: "1.3.6.1.4.1.25506.8.35.9.1.1.1.2",
  powerStatus: "1.3.6.1.4.1.25506.8.35.9.1.2.1.2",
  psePortCurrentPower: "1.3.6.1.4.1.25506.2.14.1.1.5",
} as const;

/** active(1) ok, deactive(2) failed; not-install(3)/unsupport(4) are not reported. */
const devmStatus = { 1: 1, 2: 0 } as const;

export function h3cComware(options: { poe?: boolean } = {}): Block {
  return {
    name: "h3cComware",
    metrics: [
      gauge("cpu_usage_percent", "percent", "CPU usage per entity (hh3cEntityExtCpuUsage).", ["entity"]),
      gauge("memory_usage_percent", "percent", "Memory usage per entity (hh3cEntityExtMemUsage).", [
        "entity",
      ]),
      gauge("temperature_celsius", "°C", "Entity temperature (hh3cEntityExtTemperature).", ["entity"]),
      gauge("fan_ok", "bool", "Fan active (hh3cDevMFanStatus).", ["fan"]),
      gauge("psu_ok", "bool", "Power supply active (hh3cDevMPowerStatus).", ["psu"]),
      ...(options.poe
        ? [gauge("poe_power_watts", "W", "PoE power per port (hh3cPsePortCurrentPower).", ["port"])]
        : []),
    ],
    tables: [
      {
        label: "entity",
        labelOid: ENT_PHYSICAL_NAME,
        columns: [
          // LibreNMS skips rows reading 0 (entities without a CPU/memory) and 65535 (unsupported sensor).
          { metric: "cpu_usage_percent", oid: HH3C.cpuUsage, skip: [0] },
          { metric: "memory_usage_percent", oid: HH3C.memUsage, skip: [0] },
          { metric: "temperature_celsius", oid: HH3C.temperature, skip: [0, 65535] },
        ],
      },
      { label: "fan", columns: [{ metric: "fan_ok", oid: HH3C.fanStatus, map: devmStatus }] },
      { label: "psu", columns: [{ metric: "psu_ok", oid: HH3C.powerStatus, map: devmStatus }] },
      ...(options.poe
        ? [
            {
              label: "port",
              columns: [{ metric: "poe_power_watts", oid: HH3C.psePortCurrentPower, scale: 0.001 }],
            },
          ]
        : []),
    ],
    rules: entityRules(),
  };
}

/** Shared by Comware and VRP: the first reported entity (the main board) is judged. */
export function entityRules() {
  return [
    rule("cpu_high", "degraded", "cpu_usage_percent", ">", 90, "CPU占用过高", "CPU usage above 90 %"),
    rule(
      "memory_high",
      "degraded",
      "memory_usage_percent",
      ">",
      90,
      "内存占用过高",
      "Memory usage above 90 %",
    ),
    rule(
      "temperature_high",
      "degraded",
      "temperature_celsius",
      ">",
      70,
      "设备温度过高",
      "Temperature above 70 °C",
    ),
    rule("fan_failed", "degraded", "fan_ok", "==", 0, "风扇故障", "A fan has failed"),
    rule("psu_failed", "degraded", "psu_ok", "==", 0, "电源模块故障", "A power supply has failed"),
  ];
}
