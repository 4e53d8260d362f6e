/** NOC 监控大屏: what the wall shows all day, readable from across the room. */
import {
  ALARM_MAPPINGS,
  LOCK_MAPPINGS,
  ON_BATTERY_MAPPINGS,
  STATE_MAPPINGS,
  stateCode,
  ticketClocksTable,
  YES_NO_MAPPINGS,
} from "./common.ts";
import { byPalette, dashboard, grid, organize, prom, SEL, steps, textSize, tiles } from "./panels.ts";

const now = (expr: string, legend = "{{device}}") => prom(expr, legend, { instant: true });

export const nocWall = dashboard({
  uid: "emcomm-noc-wall",
  title: "NOC 监控大屏",
  description:
    "NOC wall: every site and device coloured green/amber/red/grey for up/degraded/down/not in service, satellite links, power, and open tickets with the time left on their SLA clocks.",
  tags: ["noc"],
  refresh: "10s",
  time: "now-1h",
  rows: [
    {
      title: "站点与设备状态 Sites and devices",
      panels: [
        tiles(now(stateCode(SEL, "site"), "{{site}}"))
          .title("站点")
          .description("Each site's worst device state.")
          .span(24)
          .height(4)
          .mappings(STATE_MAPPINGS)
          .text(textSize(28)),
        tiles(now(stateCode()))
          .title("设备")
          .description(
            "One tile per device: green up, amber degraded or impacted, red down, grey not in service or unmonitored, blue maintenance.",
          )
          .span(24)
          .height(14)
          .mappings(STATE_MAPPINGS)
          .text(textSize(16)),
      ],
    },
    {
      title: "卫星链路 Satellite links",
      panels: [
        tiles(
          now(`emcomm_modem_rx_locked{${SEL}}`),
          now(`emcomm_ka_sat_locked{${SEL}}`),
          now(`emcomm_antenna_sat_locked{${SEL}}`, "{{device}} 天线"),
        )
          .title("解调锁定")
          .description("Satellite modem demodulator lock (modem_rx_locked); Ka station lock (ka_sat_locked).")
          .span(6)
          .height(5)
          .mappings(LOCK_MAPPINGS),
        tiles(now(`emcomm_modem_ebno_db{${SEL}}`), now(`emcomm_ka_ebno_db{${SEL}}`))
          .title("信噪比 Eb/No")
          .description(
            "Receive Eb/No per modem (modem_ebno_db, ka_ebno_db); red below 6 dB, amber below 8 dB.",
          )
          .span(6)
          .height(5)
          .unit("dB")
          .decimals(1)
          .thresholds(steps([null, "red"], [6, "#FF9900"], [8, "green"])),
        tiles(now(`emcomm_modem_rx_level_dbm{${SEL}}`))
          .title("接收电平")
          .description("Receive level per modem (modem_rx_level_dbm).")
          .span(6)
          .height(5)
          .unit("dBm")
          .decimals(1)
          .thresholds(steps([null, "red"], [-65, "green"])),
        tiles(now(`emcomm_buc_output_power_dbm{${SEL}}`))
          .title("BUC 输出功率")
          .description("BUC output power (buc_output_power_dbm).")
          .span(6)
          .height(5)
          .unit("dBm")
          .decimals(1)
          .colorScheme(byPalette),
      ],
    },
    {
      title: "电源 Power",
      panels: [
        tiles(now(`emcomm_ups_on_battery{${SEL}}`))
          .title("UPS 供电")
          .description("UPS on mains or on battery (ups_on_battery).")
          .span(4)
          .height(5)
          .mappings(ON_BATTERY_MAPPINGS),
        tiles(now(`emcomm_ups_minutes_remaining{${SEL}}`))
          .title("UPS 剩余时间")
          .description("Estimated battery runtime (ups_minutes_remaining); red below 10 minutes.")
          .span(4)
          .height(5)
          .unit("m")
          .thresholds(steps([null, "red"], [10, "#FF9900"], [30, "green"])),
        tiles(now(`emcomm_ups_input_voltage_volts{${SEL}}`, "{{device}} {{line}}"))
          .title("市电电压")
          .description("UPS input (mains) voltage per line (ups_input_voltage_volts).")
          .span(4)
          .height(5)
          .unit("volt")
          .thresholds(steps([null, "red"], [187, "green"], [242, "red"])),
        tiles(now(`emcomm_generator_running{${SEL}}`))
          .title("发电机运行")
          .description("Generator running (generator_running).")
          .span(4)
          .height(5)
          .mappings(YES_NO_MAPPINGS),
        tiles(now(`emcomm_generator_fuel_percent{${SEL}}`))
          .title("发电机燃油")
          .description("Generator fuel level (generator_fuel_percent); red below 20 %.")
          .span(4)
          .height(5)
          .unit("percent")
          .thresholds(steps([null, "red"], [20, "#FF9900"], [40, "green"])),
        tiles(
          now(
            // Distinct "alarm" labels keep `or` from dropping a series of the same device.
            [
              `label_replace(emcomm_generator_fail_to_start{${SEL}}, "alarm", "fail", "", "")`,
              `label_replace(emcomm_generator_shutdown_alarm{${SEL}}, "alarm", "shutdown", "", "")`,
              `label_replace(emcomm_generator_warning_alarm{${SEL}}, "alarm", "warning", "", "")`,
            ]
              .join(" or ")
              .replace(/^/, "max by (device) (")
              .concat(")"),
          ),
        )
          .title("发电机告警")
          .description("Generator fail to start, shutdown or warning alarm present (any of them).")
          .span(4)
          .height(5)
          .mappings(ALARM_MAPPINGS),
      ],
    },
    {
      title: "工单与告警 Tickets and alerts",
      panels: [
        ticketClocksTable(14, 10, 'site=~"$site"'),
        grid([
          prom('sort_desc(ALERTS{alertstate="firing", site=~"$site"})', "", { instant: true, table: true }),
        ])
          .title("当前告警")
          .description("Alerts firing in Prometheus now (the ones that ring the on-call phones).")
          .span(10)
          .height(10)
          .withTransformation(organize(["Time", "Value", "__name__", "alertstate", "job", "instance"])),
      ],
    },
  ],
});
