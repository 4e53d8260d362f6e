/** 电源: UPS and generator (the command vehicle's and any other site's). */
import { ALARM_MAPPINGS, ON_BATTERY_MAPPINGS, YES_NO_MAPPINGS } from "./common.ts";
import { byPalette, dashboard, influx, lines, prom, SEL, steps, tiles, WHERE } from "./panels.ts";

const series = (field: string, measurement: string, by = '"device"') =>
  influx(
    `SELECT mean("${field}") FROM "${measurement}" WHERE ${WHERE} GROUP BY time($__interval), ${by} fill(null)`,
  );
const now = (metric: string, legend = "{{device}}") => prom(`${metric}{${SEL}}`, legend, { instant: true });

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
        tiles(now("emcomm_ups_on_battery"))
          .title("供电方式")
          .description("On mains or on battery (ups_on_battery).")
          .span(6)
          .height(4)
          .mappings(ON_BATTERY_MAPPINGS),
        tiles(now("emcomm_ups_minutes_remaining"))
          .title("剩余时间")
          .description("Estimated runtime on battery (ups_minutes_remaining).")
          .span(6)
          .height(4)
          .unit("m")
          .thresholds(steps([null, "red"], [10, "#FF9900"], [30, "green"])),
        tiles(now("emcomm_ups_battery_charge_percent"))
          .title("电池电量")
          .description("Battery charge (ups_battery_charge_percent).")
          .span(6)
          .height(4)
          .unit("percent")
          .thresholds(steps([null, "red"], [50, "#FF9900"], [80, "green"])),
        tiles(now("emcomm_ups_alarms_present"))
          .title("UPS 告警")
          .description("Number of UPS alarms present (ups_alarms_present).")
          .span(6)
          .height(4)
          .thresholds(steps([null, "green"], [1, "red"])),
        lines(
          series("ups_input_voltage_volts", "ups", '"device", "line"'),
          series("ups_output_voltage_volts", "ups", '"device", "line"'),
        )
          .title("输入/输出电压")
          .description(
            "UPS input (mains) and output voltage per line (ups_input_voltage_volts, ups_output_voltage_volts).",
          )
          .span(12)
          .height(8)
          .unit("volt"),
        lines(series("ups_output_load_percent", "ups", '"device", "line"'))
          .title("负载")
          .description("UPS output load per line (ups_output_load_percent).")
          .span(12)
          .height(8)
          .unit("percent"),
      ],
    },
    {
      title: "发电机 Generator",
      panels: [
        tiles(now("emcomm_generator_running"))
          .title("运行")
          .description("Generator running (generator_running).")
          .span(4)
          .height(4)
          .mappings(YES_NO_MAPPINGS),
        tiles(now("emcomm_generator_fail_to_start"))
          .title("启动失败")
          .description("Fail to start (generator_fail_to_start).")
          .span(4)
          .height(4)
          .mappings(ALARM_MAPPINGS),
        tiles(now("emcomm_generator_shutdown_alarm"))
          .title("停机告警")
          .description("Shutdown alarm (generator_shutdown_alarm).")
          .span(4)
          .height(4)
          .mappings(ALARM_MAPPINGS),
        tiles(now("emcomm_generator_warning_alarm"))
          .title("预警")
          .description("Warning alarm (generator_warning_alarm).")
          .span(4)
          .height(4)
          .mappings(ALARM_MAPPINGS),
        tiles(now("emcomm_generator_fuel_percent"))
          .title("燃油")
          .description("Fuel level (generator_fuel_percent).")
          .span(4)
          .height(4)
          .unit("percent")
          .thresholds(steps([null, "red"], [20, "#FF9900"], [40, "green"])),
        tiles(
          now("emcomm_generator_run_hours", "{{device}} h"),
          now("emcomm_generator_starts_total", "{{device}} starts"),
        )
          .title("运行小时")
          .description("Engine run hours (generator_run_hours) and starts (generator_starts_total).")
          .span(4)
          .height(4)
          .colorScheme(byPalette),
        lines(
          series("generator_voltage_volts", "generator", '"device", "phase"'),
          series("generator_frequency_hertz", "generator"),
        )
          .title("发电机电压/频率")
          .description(
            "Output voltage per phase and frequency (generator_voltage_volts, generator_frequency_hertz).",
          )
          .span(12)
          .height(8),
        lines(
          series("generator_oil_pressure_kpa", "generator"),
          series("generator_coolant_celsius", "generator"),
          series("generator_battery_volts", "generator"),
          series("generator_load_percent", "generator"),
        )
          .title("发动机")
          .description(
            "Oil pressure, coolant temperature, starter battery and load (generator_oil_pressure_kpa, generator_coolant_celsius, generator_battery_volts, generator_load_percent).",
          )
          .span(12)
          .height(8),
      ],
    },
  ],
});
