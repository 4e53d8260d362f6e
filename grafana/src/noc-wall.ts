/** NOC 监控大屏: what the wall shows all day, readable from across the room. */
import {
  LOCK_MAPPINGS,
  ON_BATTERY_MAPPINGS,
  STATE_MAPPINGS,
  stateCode,
  ticketClocksTable,
  YES_NO_MAPPINGS,
} from "./common.ts";
import { dashboard, prom, SEL, table, tiles } from "./lib.ts";

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
        tiles({
          title: "站点",
          description: "Each site's worst device state.",
          targets: [prom(stateCode(SEL, "site"), "{{site}}", { instant: true })],
          w: 24,
          h: 4,
          mappings: STATE_MAPPINGS,
          textSize: 28,
        }),
        tiles({
          title: "设备",
          description:
            "One tile per device: green up, amber degraded or impacted, red down, grey not in service or unmonitored, blue maintenance.",
          targets: [prom(stateCode(), "{{device}}", { instant: true })],
          w: 24,
          h: 14,
          mappings: STATE_MAPPINGS,
          textSize: 16,
        }),
      ],
    },
    {
      title: "卫星链路 Satellite links",
      panels: [
        tiles({
          title: "解调锁定",
          description: "Satellite modem demodulator lock (modem_rx_locked); Ka station lock (ka_sat_locked).",
          targets: [
            prom(`emcomm_modem_rx_locked{${SEL}}`, "{{device}}", { instant: true }),
            prom(`emcomm_ka_sat_locked{${SEL}}`, "{{device}}", { instant: true }),
            prom(`emcomm_antenna_sat_locked{${SEL}}`, "{{device}} 天线", { instant: true }),
          ],
          w: 6,
          h: 5,
          mappings: LOCK_MAPPINGS,
        }),
        tiles({
          title: "信噪比 Eb/No",
          description:
            "Receive Eb/No per modem (modem_ebno_db, ka_ebno_db); red below 6 dB, amber below 8 dB.",
          targets: [
            prom(`emcomm_modem_ebno_db{${SEL}}`, "{{device}}", { instant: true }),
            prom(`emcomm_ka_ebno_db{${SEL}}`, "{{device}}", { instant: true }),
          ],
          w: 6,
          h: 5,
          unit: "dB",
          decimals: 1,
          thresholds: [
            [null, "red"],
            [6, "#FF9900"],
            [8, "green"],
          ],
        }),
        tiles({
          title: "接收电平",
          description: "Receive level per modem (modem_rx_level_dbm).",
          targets: [prom(`emcomm_modem_rx_level_dbm{${SEL}}`, "{{device}}", { instant: true })],
          w: 6,
          h: 5,
          unit: "dBm",
          decimals: 1,
          thresholds: [
            [null, "red"],
            [-65, "green"],
          ],
        }),
        tiles({
          title: "BUC 输出功率",
          description: "BUC output power (buc_output_power_dbm).",
          targets: [prom(`emcomm_buc_output_power_dbm{${SEL}}`, "{{device}}", { instant: true })],
          w: 6,
          h: 5,
          unit: "dBm",
          decimals: 1,
        }),
      ],
    },
    {
      title: "电源 Power",
      panels: [
        tiles({
          title: "UPS 供电",
          description: "UPS on mains or on battery (ups_on_battery).",
          targets: [prom(`emcomm_ups_on_battery{${SEL}}`, "{{device}}", { instant: true })],
          w: 4,
          h: 5,
          mappings: ON_BATTERY_MAPPINGS,
        }),
        tiles({
          title: "UPS 剩余时间",
          description: "Estimated battery runtime (ups_minutes_remaining); red below 10 minutes.",
          targets: [prom(`emcomm_ups_minutes_remaining{${SEL}}`, "{{device}}", { instant: true })],
          w: 4,
          h: 5,
          unit: "m",
          thresholds: [
            [null, "red"],
            [10, "#FF9900"],
            [30, "green"],
          ],
        }),
        tiles({
          title: "市电电压",
          description: "UPS input (mains) voltage per line (ups_input_voltage_volts).",
          targets: [prom(`emcomm_ups_input_voltage_volts{${SEL}}`, "{{device}} {{line}}", { instant: true })],
          w: 4,
          h: 5,
          unit: "volt",
          thresholds: [
            [null, "red"],
            [187, "green"],
            [242, "red"],
          ],
        }),
        tiles({
          title: "发电机运行",
          description: "Generator running (generator_running).",
          targets: [prom(`emcomm_generator_running{${SEL}}`, "{{device}}", { instant: true })],
          w: 4,
          h: 5,
          mappings: YES_NO_MAPPINGS,
        }),
        tiles({
          title: "发电机燃油",
          description: "Generator fuel level (generator_fuel_percent); red below 20 %.",
          targets: [prom(`emcomm_generator_fuel_percent{${SEL}}`, "{{device}}", { instant: true })],
          w: 4,
          h: 5,
          unit: "percent",
          thresholds: [
            [null, "red"],
            [20, "#FF9900"],
            [40, "green"],
          ],
        }),
        tiles({
          title: "发电机告警",
          description: "Generator fail to start, shutdown or warning alarm present (any of them).",
          targets: [
            prom(
              // Distinct "alarm" labels keep `or` from dropping a series of the same device.
              [
                `label_replace(emcomm_generator_fail_to_start{${SEL}}, "alarm", "fail", "", "")`,
                `label_replace(emcomm_generator_shutdown_alarm{${SEL}}, "alarm", "shutdown", "", "")`,
                `label_replace(emcomm_generator_warning_alarm{${SEL}}, "alarm", "warning", "", "")`,
              ]
                .join(" or ")
                .replace(/^/, "max by (device) (")
                .concat(")"),
              "{{device}}",
              { instant: true },
            ),
          ],
          w: 4,
          h: 5,
          mappings: [
            { value: 0, text: "无告警 clear", color: "green" },
            { value: 1, text: "告警 alarm", color: "red" },
          ],
        }),
      ],
    },
    {
      title: "工单与告警 Tickets and alerts",
      panels: [
        ticketClocksTable(14, 10, 'site=~"$site"'),
        table({
          title: "当前告警",
          description: "Alerts firing in Prometheus now (the ones that ring the on-call phones).",
          targets: [
            prom('sort_desc(ALERTS{alertstate="firing", site=~"$site"})', "", { instant: true, table: true }),
          ],
          w: 10,
          h: 10,
          transformations: [
            {
              id: "organize",
              options: {
                excludeByName: {
                  Time: true,
                  Value: true,
                  __name__: true,
                  alertstate: true,
                  job: true,
                  instance: true,
                },
              },
            },
          ],
        }),
      ],
    },
  ],
});
