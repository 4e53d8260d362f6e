/**
 * Diesel generator controller, Deep Sea Electronics GenComm over Modbus (TCP, or RTU through a
 * gateway). Register map from victronenergy/dbus-modbus-client dse.py and
 * victronenergy/dse-modbus-simulator (device-polling.md §7a): holding registers, address =
 * page × 256 + offset. Alarms are the page-8 list (2049…, four 4-bit codes per register, first
 * alarm in the high nibble): 2 warning, 3 shutdown, 4 electrical trip. Health rules are ours
 * (marked as assumptions in the reference).
 */

import { counter, gauge, rule } from "../../shared/model.ts";
import type { ModbusProfile } from "../profile.ts";
import { compose, phases } from "./blocks.ts";

/** Page-8 alarm list: 99 alarms, 25 registers. Index 6 is "fail to start" (VIC-SIM dse_alarms.json). */
const ALARM_BASE = 2049;
const ALARM_WORDS = 25;
const FAIL_TO_START = 6;

const engine = {
  points: [
    { metric: "generator_mode", address: 772 },
    { metric: "generator_oil_pressure_kpa", address: 1024 },
    { metric: "generator_coolant_celsius", address: 1025, type: "i16" },
    { metric: "generator_fuel_percent", address: 1027 },
    { metric: "generator_battery_volts", address: 1029, scale: 0.1 },
    { metric: "generator_frequency_hertz", address: 1031, scale: 0.1 },
    ...phases("generator_voltage_volts", [1032, 1034, 1036], { type: "u32", scale: 0.1 }),
    { metric: "generator_engine_state", address: 1408 },
    { metric: "generator_running", address: 1408, anyOf: [2, 3] },
    { metric: "generator_load_percent", address: 1558, type: "i16", scale: 0.1, optional: true },
    { metric: "generator_run_hours", address: 1798, type: "u32", scale: 1 / 3600 },
    { metric: "generator_starts_total", address: 1808, type: "u32" },
  ],
  metrics: [
    gauge(
      "generator_mode",
      "enum",
      "Control mode: 0 stop, 1 auto, 2 manual, 3 test on load, 6 test off load, 7 off.",
    ),
    gauge("generator_oil_pressure_kpa", "kPa", "Engine oil pressure."),
    gauge("generator_coolant_celsius", "degrees Celsius", "Engine coolant temperature."),
    gauge("generator_fuel_percent", "percent", "Fuel tank level."),
    gauge("generator_battery_volts", "volts", "Engine starter battery voltage."),
    gauge("generator_frequency_hertz", "hertz", "Generator output frequency."),
    gauge("generator_voltage_volts", "volts", "Generator phase-to-neutral voltage.", ["phase"]),
    gauge(
      "generator_engine_state",
      "enum",
      "Engine state: 0 stopped, 1 pre-start, 2 warming up, 3 running, 4 cooling down, 5 stopped, 6 post run, 15 n/a.",
    ),
    gauge("generator_running", "bool", "1 while the engine is warming up or running."),
    gauge("generator_load_percent", "percent", "Engine load (some controller models only)."),
    gauge("generator_run_hours", "hours", "Engine run time."),
    counter("generator_starts_total", "starts", "Engine start attempts."),
  ],
  rules: [
    rule(
      "engine_state_unknown",
      "down",
      "generator_engine_state",
      "==",
      15,
      "发动机状态不可用",
      "engine state not available",
    ),
    rule("fuel_low", "degraded", "generator_fuel_percent", "<", 20, "燃油不足", "fuel below 20 %"),
    rule(
      "coolant_high",
      "degraded",
      "generator_coolant_celsius",
      ">",
      95,
      "冷却液温度高",
      "coolant above 95 °C",
    ),
    rule(
      "starter_battery_low",
      "degraded",
      "generator_battery_volts",
      "<",
      11.5,
      "启动电池电压低",
      "starter battery below 11.5 V",
    ),
    rule("load_high", "degraded", "generator_load_percent", ">", 90, "负载过高", "load above 90 %"),
  ],
} satisfies Parameters<typeof compose>[0];

const alarms = {
  points: [
    {
      metric: "generator_warning_alarm",
      address: ALARM_BASE,
      type: "nibbles",
      words: ALARM_WORDS,
      anyOf: [2],
    },
    {
      metric: "generator_shutdown_alarm",
      address: ALARM_BASE,
      type: "nibbles",
      words: ALARM_WORDS,
      anyOf: [3, 4],
    },
    {
      metric: "generator_fail_to_start",
      address: ALARM_BASE,
      type: "nibbles",
      words: ALARM_WORDS,
      nibble: FAIL_TO_START,
      anyOf: [2, 3, 4],
    },
  ],
  metrics: [
    gauge("generator_warning_alarm", "bool", "1 while any controller alarm is at warning level."),
    gauge(
      "generator_shutdown_alarm",
      "bool",
      "1 while any controller alarm is a shutdown or electrical trip.",
    ),
    gauge("generator_fail_to_start", "bool", "1 while the controller reports a fail-to-start alarm."),
  ],
  rules: [
    rule(
      "genset_shutdown",
      "down",
      "generator_shutdown_alarm",
      "==",
      1,
      "发电机停机/跳闸告警",
      "genset shut down or tripped",
    ),
    rule(
      "genset_fail_to_start",
      "down",
      "generator_fail_to_start",
      "==",
      1,
      "发电机启动失败",
      "genset failed to start",
    ),
    rule(
      "genset_warning",
      "degraded",
      "generator_warning_alarm",
      "==",
      1,
      "发电机预警告警",
      "genset warning alarm",
    ),
  ],
} satisfies Parameters<typeof compose>[0];

export const dseGenerator: ModbusProfile = {
  ...compose(engine, alarms),
  sentinels: "gencomm",
  maxGap: 16,
  source:
    "DSE GenComm per victronenergy/dbus-modbus-client dse.py and dse-modbus-simulator (device-polling.md §7a)",
};
