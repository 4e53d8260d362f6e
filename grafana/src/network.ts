/** 网络: switches, routers and the 5G CPE; interface state, traffic, errors, health. */
import { OK_MAPPINGS } from "./common.ts";
import { dashboard, influx, prom, SEL, table, tiles, timeseries, WHERE } from "./lib.ts";

const series = (field: string, measurement: string, by: string) =>
  influx(
    `SELECT mean("${field}") FROM "${measurement}" WHERE ${WHERE} GROUP BY time($__interval), ${by} fill(null)`,
  );

export const network = dashboard({
  uid: "emcomm-network",
  title: "网络",
  description:
    "Network: switch and router interfaces (state, traffic, errors), CPU/memory/temperature, fans and PSUs, PoE, the 5G CPE, and TCP reachability of hosts.",
  tags: ["network"],
  rows: [
    {
      title: "接口 Interfaces",
      panels: [
        table({
          title: "接口状态",
          description:
            "Interfaces administratively up but operationally down come first (if_admin_up, if_oper_up; 1 up, 0 down).",
          targets: [
            prom(
              `sort(emcomm_if_oper_up{${SEL}} and on (device, ifname) emcomm_if_admin_up{${SEL}} == 1)`,
              "",
              { instant: true, table: true },
            ),
          ],
          w: 8,
          h: 10,
          mappings: [
            { value: 1, text: "up", color: "green" },
            { value: 0, text: "down", color: "red" },
          ],
          transformations: [
            {
              id: "organize",
              options: {
                excludeByName: { Time: true, __name__: true, job: true, instance: true, service: true },
              },
            },
          ],
        }),
        timeseries({
          title: "接口流量",
          description:
            "Inbound and outbound traffic per interface (if_in_bits_per_second, if_out_bits_per_second).",
          targets: [
            series("if_in_bits_per_second", "if", '"device", "ifname"'),
            series("if_out_bits_per_second", "if", '"device", "ifname"'),
          ],
          w: 16,
          h: 10,
          unit: "bps",
        }),
        timeseries({
          title: "接口错误/丢弃",
          description:
            "Errors and discards per second (rate of if_in_errors_total, if_out_errors_total, if_in_discards_total).",
          targets: [
            prom(`rate(emcomm_if_in_errors_total{${SEL}}[$__rate_interval])`, "{{device}} {{ifname}} in err"),
            prom(
              `rate(emcomm_if_out_errors_total{${SEL}}[$__rate_interval])`,
              "{{device}} {{ifname}} out err",
            ),
            prom(
              `rate(emcomm_if_in_discards_total{${SEL}}[$__rate_interval])`,
              "{{device}} {{ifname}} discards",
            ),
          ],
          w: 24,
          h: 7,
          unit: "pps",
        }),
      ],
    },
    {
      title: "设备健康 Device health",
      panels: [
        timeseries({
          title: "CPU 使用率",
          description: "CPU usage per entity (cpu_usage_percent).",
          targets: [series("cpu_usage_percent", "cpu", '"device", "entity"')],
          w: 8,
          h: 7,
          unit: "percent",
        }),
        timeseries({
          title: "内存",
          description: "Memory usage per entity (memory_usage_percent).",
          targets: [series("memory_usage_percent", "memory", '"device", "entity"')],
          w: 8,
          h: 7,
          unit: "percent",
        }),
        timeseries({
          title: "温度",
          description: "Temperature per entity (temperature_celsius).",
          targets: [series("temperature_celsius", "temperature", '"device", "entity"')],
          w: 8,
          h: 7,
          unit: "celsius",
        }),
        tiles({
          title: "风扇",
          description: "Fan state (fan_ok).",
          targets: [prom(`emcomm_fan_ok{${SEL}}`, "{{device}} {{fan}}", { instant: true })],
          w: 8,
          h: 5,
          mappings: OK_MAPPINGS,
        }),
        tiles({
          title: "电源模块",
          description: "Power supply state (psu_ok).",
          targets: [prom(`emcomm_psu_ok{${SEL}}`, "{{device}} {{psu}}", { instant: true })],
          w: 8,
          h: 5,
          mappings: OK_MAPPINGS,
        }),
        tiles({
          title: "PoE 功率",
          description: "PoE power per port (poe_power_watts), summed per device.",
          targets: [
            prom(`sum by (device) (emcomm_poe_power_watts{${SEL}})`, "{{device}}", { instant: true }),
          ],
          w: 8,
          h: 5,
          unit: "watt",
        }),
        tiles({
          title: "运行时长",
          description:
            "Time since the device's last restart (system_uptime_seconds); a recent restart shows red.",
          targets: [prom(`emcomm_system_uptime_seconds{${SEL}}`, "{{device}}", { instant: true })],
          w: 24,
          h: 4,
          unit: "s",
          thresholds: [
            [null, "red"],
            [3600, "green"],
          ],
        }),
      ],
    },
    {
      title: "5G CPE 与可达性 5G CPE and reachability",
      panels: [
        tiles({
          title: "5G 连接",
          description: "5G CPE connected (cpe_connected), band (cpe_band).",
          targets: [prom(`emcomm_cpe_connected{${SEL}}`, "{{device}}", { instant: true })],
          w: 6,
          h: 6,
          mappings: [
            { value: 1, text: "已连接 connected", color: "green" },
            { value: 0, text: "断开 disconnected", color: "red" },
          ],
        }),
        timeseries({
          title: "5G 信号",
          description: "RSRP, RSRQ and SINR of the 5G CPE (cpe_rsrp_dbm, cpe_rsrq_db, cpe_sinr_db).",
          targets: [
            series("cpe_rsrp_dbm", "cpe", '"device"'),
            series("cpe_rsrq_db", "cpe", '"device"'),
            series("cpe_sinr_db", "cpe", '"device"'),
          ],
          w: 9,
          h: 6,
        }),
        timeseries({
          title: "TCP 连接时间",
          description:
            "TCP handshake time of hosts checked by port (tcp_connect_seconds): consoles, tablets, the duty system.",
          targets: [series("tcp_connect_seconds", "tcp", '"device"')],
          w: 9,
          h: 6,
          unit: "s",
        }),
      ],
    },
  ],
});
