/** 电源: UPS and generator (the command vehicle's and any other site's). */
import { ALARM_MAPPINGS, ON_BATTERY_MAPPINGS, YES_NO_MAPPINGS } from "./common.ts";
import { dashboard, influx, prom, SEL, tiles, timeseries, WHERE } from "./lib.ts";

const series = (field: string, measurement: string, by = '"device"') =>
  influx(
    `SELECT mean("${field}") FROM "${measurement}" WHERE ${WHERE} GROUP BY time($__interval), ${by} fill(null)`,
  );

export const power = dashboard({
  uid: "emcomm-power",
  title: "电源",
  description:
    "Power: mains, UPS (on battery, runtime, charge, load) and generator (state, fuel, engine, alarms).",
  tags: ["power"],
  rows: [
    {
      title: "不间断电源 UPS",
      panels: [
        tiles({
          title: "供电方式",
          description: "On mains or on battery (ups_on_battery).",
          targets: [prom(`emcomm_ups_on_battery{${SEL}}`, "{{device}}", { instant: true })],
          w: 6,
          h: 4,
          mappings: ON_BATTERY_MAPPINGS,
        }),
        tiles({
          title: "剩余时间",
          description: "Estimated runtime on battery (ups_minutes_remaining).",
          targets: [prom(`emcomm_ups_minutes_remaining{${SEL}}`, "{{device}}", { instant: true })],
          w: 6,
          h: 4,
          unit: "m",
          thresholds: [
            [null, "red"],
            [10, "#FF9900"],
            [30, "green"],
          ],
        }),
        tiles({
          title: "电池电量",
          description: "Battery charge (ups_battery_charge_percent).",
          targets: [prom(`emcomm_ups_battery_charge_percent{${SEL}}`, "{{device}}", { instant: true })],
          w: 6,
          h: 4,
          unit: "percent",
          thresholds: [
            [null, "red"],
            [50, "#FF9900"],
            [80, "green"],
          ],
        }),
        tiles({
          title: "UPS 告警",
          description: "Number of UPS alarms present (ups_alarms_present).",
          targets: [prom(`emcomm_ups_alarms_present{${SEL}}`, "{{device}}", { instant: true })],
          w: 6,
          h: 4,
          thresholds: [
            [null, "green"],
            [1, "red"],
          ],
        }),
        timeseries({
          title: "输入/输出电压",
          description:
            "UPS input (mains) and output voltage per line (ups_input_voltage_volts, ups_output_voltage_volts).",
          targets: [
            series("ups_input_voltage_volts", "ups", '"device", "line"'),
            series("ups_output_voltage_volts", "ups", '"device", "line"'),
          ],
          w: 12,
          h: 8,
          unit: "volt",
        }),
        timeseries({
          title: "负载",
          description: "UPS output load per line (ups_output_load_percent).",
          targets: [series("ups_output_load_percent", "ups", '"device", "line"')],
          w: 12,
          h: 8,
          unit: "percent",
        }),
      ],
    },
    {
      title: "发电机 Generator",
      panels: [
        tiles({
          title: "运行",
          description: "Generator running (generator_running).",
          targets: [prom(`emcomm_generator_running{${SEL}}`, "{{device}}", { instant: true })],
          w: 4,
          h: 4,
          mappings: YES_NO_MAPPINGS,
        }),
        tiles({
          title: "启动失败",
          description: "Fail to start (generator_fail_to_start).",
          targets: [prom(`emcomm_generator_fail_to_start{${SEL}}`, "{{device}}", { instant: true })],
          w: 4,
          h: 4,
          mappings: ALARM_MAPPINGS,
        }),
        tiles({
          title: "停机告警",
          description: "Shutdown alarm (generator_shutdown_alarm).",
          targets: [prom(`emcomm_generator_shutdown_alarm{${SEL}}`, "{{device}}", { instant: true })],
          w: 4,
          h: 4,
          mappings: ALARM_MAPPINGS,
        }),
        tiles({
          title: "预警",
          description: "Warning alarm (generator_warning_alarm).",
          targets: [prom(`emcomm_generator_warning_alarm{${SEL}}`, "{{device}}", { instant: true })],
          w: 4,
          h: 4,
          mappings: ALARM_MAPPINGS,
        }),
        tiles({
          title: "燃油",
          description: "Fuel level (generator_fuel_percent).",
          targets: [prom(`emcomm_generator_fuel_percent{${SEL}}`, "{{device}}", { instant: true })],
          w: 4,
          h: 4,
          unit: "percent",
          thresholds: [
            [null, "red"],
            [20, "#FF9900"],
            [40, "green"],
          ],
        }),
        tiles({
          title: "运行小时",
          description: "Engine run hours (generator_run_hours) and starts (generator_starts_total).",
          targets: [
            prom(`emcomm_generator_run_hours{${SEL}}`, "{{device}} h", { instant: true }),
            prom(`emcomm_generator_starts_total{${SEL}}`, "{{device}} starts", { instant: true }),
          ],
          w: 4,
          h: 4,
        }),
        timeseries({
          title: "发电机电压/频率",
          description:
            "Output voltage per phase and frequency (generator_voltage_volts, generator_frequency_hertz).",
          targets: [
            series("generator_voltage_volts", "generator", '"device", "phase"'),
            series("generator_frequency_hertz", "generator"),
          ],
          w: 12,
          h: 8,
        }),
        timeseries({
          title: "发动机",
          description:
            "Oil pressure, coolant temperature, starter battery and load (generator_oil_pressure_kpa, generator_coolant_celsius, generator_battery_volts, generator_load_percent).",
          targets: [
            series("generator_oil_pressure_kpa", "generator"),
            series("generator_coolant_celsius", "generator"),
            series("generator_battery_volts", "generator"),
            series("generator_load_percent", "generator"),
          ],
          w: 12,
          h: 8,
        }),
      ],
    },
  ],
});
