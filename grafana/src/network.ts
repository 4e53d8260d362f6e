/** 网络: switches, routers and the 5G CPE; interface state, traffic, errors, health. */
import { goodWhenOne, OK_MAPPINGS } from "./common.ts";
import {
  byPalette,
  dashboard,
  grid,
  influx,
  lines,
  organize,
  prom,
  SEL,
  steps,
  tiles,
  WHERE,
} from "./panels.ts";

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
        grid([
          prom(
            `sort(emcomm_if_oper_up{${SEL}} and on (device, ifname) emcomm_if_admin_up{${SEL}} == 1)`,
            "",
            { instant: true, table: true },
          ),
        ])
          .title("接口状态")
          .description(
            "Interfaces administratively up but operationally down come first (if_admin_up, if_oper_up; 1 up, 0 down).",
          )
          .span(8)
          .height(10)
          .mappings(goodWhenOne("up", "down"))
          .withTransformation(organize(["Time", "__name__", "job", "instance", "service"])),
        lines(
          series("if_in_bits_per_second", "if", '"device", "ifname"'),
          series("if_out_bits_per_second", "if", '"device", "ifname"'),
        )
          .title("接口流量")
          .description(
            "Inbound and outbound traffic per interface (if_in_bits_per_second, if_out_bits_per_second).",
          )
          .span(16)
          .height(10)
          .unit("bps"),
        lines(
          prom(`rate(emcomm_if_in_errors_total{${SEL}}[$__rate_interval])`, "{{device}} {{ifname}} in err"),
          prom(`rate(emcomm_if_out_errors_total{${SEL}}[$__rate_interval])`, "{{device}} {{ifname}} out err"),
          prom(
            `rate(emcomm_if_in_discards_total{${SEL}}[$__rate_interval])`,
            "{{device}} {{ifname}} discards",
          ),
        )
          .title("接口错误/丢弃")
          .description(
            "Errors and discards per second (rate of if_in_errors_total, if_out_errors_total, if_in_discards_total).",
          )
          .span(24)
          .height(7)
          .unit("pps"),
      ],
    },
    {
      title: "设备健康 Device health",
      panels: [
        lines(series("cpu_usage_percent", "cpu", '"device", "entity"'))
          .title("CPU 使用率")
          .description("CPU usage per entity (cpu_usage_percent).")
          .span(8)
          .height(7)
          .unit("percent"),
        lines(series("memory_usage_percent", "memory", '"device", "entity"'))
          .title("内存")
          .description("Memory usage per entity (memory_usage_percent).")
          .span(8)
          .height(7)
          .unit("percent"),
        lines(series("temperature_celsius", "temperature", '"device", "entity"'))
          .title("温度")
          .description("Temperature per entity (temperature_celsius).")
          .span(8)
          .height(7)
          .unit("celsius"),
        tiles(prom(`emcomm_fan_ok{${SEL}}`, "{{device}} {{fan}}", { instant: true }))
          .title("风扇")
          .description("Fan state (fan_ok).")
          .span(8)
          .height(5)
          .mappings(OK_MAPPINGS),
        tiles(prom(`emcomm_psu_ok{${SEL}}`, "{{device}} {{psu}}", { instant: true }))
          .title("电源模块")
          .description("Power supply state (psu_ok).")
          .span(8)
          .height(5)
          .mappings(OK_MAPPINGS),
        tiles(prom(`sum by (device) (emcomm_poe_power_watts{${SEL}})`, "{{device}}", { instant: true }))
          .title("PoE 功率")
          .description("PoE power per port (poe_power_watts), summed per device.")
          .span(8)
          .height(5)
          .unit("watt")
          .colorScheme(byPalette),
        tiles(prom(`emcomm_system_uptime_seconds{${SEL}}`, "{{device}}", { instant: true }))
          .title("运行时长")
          .description(
            "Time since the device's last restart (system_uptime_seconds); a recent restart shows red.",
          )
          .span(24)
          .height(4)
          .unit("s")
          .thresholds(steps([null, "red"], [3600, "green"])),
      ],
    },
    {
      title: "5G CPE 与可达性 5G CPE and reachability",
      panels: [
        tiles(prom(`emcomm_cpe_connected{${SEL}}`, "{{device}}", { instant: true }))
          .title("5G 连接")
          .description("5G CPE connected (cpe_connected), band (cpe_band).")
          .span(6)
          .height(6)
          .mappings(goodWhenOne("已连接 connected", "断开 disconnected")),
        lines(
          series("cpe_rsrp_dbm", "cpe", '"device"'),
          series("cpe_rsrq_db", "cpe", '"device"'),
          series("cpe_sinr_db", "cpe", '"device"'),
        )
          .title("5G 信号")
          .description("RSRP, RSRQ and SINR of the 5G CPE (cpe_rsrp_dbm, cpe_rsrq_db, cpe_sinr_db).")
          .span(9)
          .height(6),
        lines(series("tcp_connect_seconds", "tcp", '"device"'))
          .title("TCP 连接时间")
          .description(
            "TCP handshake time of hosts checked by port (tcp_connect_seconds): consoles, tablets, the duty system.",
          )
          .span(9)
          .height(6)
          .unit("s"),
      ],
    },
  ],
});
