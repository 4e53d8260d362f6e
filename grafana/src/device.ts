/** 设备详情: one device, drilled down from the NOC wall. */
import { STATE_MAPPINGS, stateCode, ticketClocksTable } from "./common.ts";
import { dashboard, grid, influx, lines, organize, prom, SEL, textSize, tiles, WHERE } from "./panels.ts";

export const device = dashboard({
  uid: "emcomm-device",
  title: "设备详情",
  description:
    "Device detail: state, inventory, poll results and durations, errors by kind, state changes, ticket events and running ticket clocks of one device.",
  tags: ["device"],
  singleDevice: true,
  rows: [
    {
      title: "状态 State",
      panels: [
        tiles(prom(stateCode(), "{{device}}", { instant: true }))
          .title("当前状态")
          .description("Current state (up, degraded, down, not in service…).")
          .span(6)
          .height(5)
          .mappings(STATE_MAPPINGS)
          .text(textSize(24)),
        grid([prom(`emcomm_device_info{${SEL}}`, "", { instant: true, table: true })])
          .title("设备信息")
          .description(
            "Inventory entry (emcomm_device_info): site, kind, vendor, model, criticality, polled.",
          )
          .span(18)
          .height(5)
          .withTransformation(organize(["Time", "Value", "__name__", "job", "instance", "service"])),
      ],
    },
    {
      title: "轮询 Polls",
      panels: [
        lines(
          influx(
            `SELECT min("up") FROM "poll" WHERE ${WHERE} GROUP BY time($__interval), "device" fill(null)`,
          ),
        )
          .title("轮询结果")
          .description("Poll success over time (InfluxDB poll.up: 1 answered, 0 failed).")
          .span(12)
          .height(7)
          .min(0)
          .max(1),
        lines(
          influx(
            `SELECT max("duration_seconds") FROM "poll" WHERE ${WHERE} GROUP BY time($__interval), "device" fill(null)`,
          ),
        )
          .title("轮询耗时")
          .description(
            "Poll duration (InfluxDB poll.duration_seconds) and the 95th percentile from Prometheus.",
          )
          .span(12)
          .height(7)
          .unit("s"),
        lines(
          prom(
            'histogram_quantile(0.95, sum by (device, le) (rate(emcomm_poll_duration_seconds_bucket{device=~"$device"}[$__rate_interval])))',
          ),
        )
          .title("轮询耗时 p95")
          .description("95th percentile poll duration (emcomm_poll_duration_seconds histogram).")
          .span(12)
          .height(7)
          .unit("s"),
        lines(
          prom(
            'sum by (device, kind) (rate(emcomm_poll_errors_total{device=~"$device"}[$__rate_interval])) * 60',
            "{{device}} {{kind}}",
          ),
        )
          .title("轮询错误")
          .description(
            "Failed polls per minute by error kind (emcomm_poll_errors_total): timeout, unreachable, auth…",
          )
          .span(12)
          .height(7)
          .unit("short"),
        grid([
          influx(
            `SELECT "error_kind", "duration_seconds" FROM "poll" WHERE ${WHERE} AND "up" = 0 ORDER BY time DESC LIMIT 20`,
            { table: true },
          ),
        ])
          .title("最近失败")
          .description("The last failed polls with their error kind (InfluxDB poll.error_kind).")
          .span(24)
          .height(7),
      ],
    },
    {
      title: "状态变化与工单 State changes and tickets",
      panels: [
        grid([
          influx(
            `SELECT "previous", "state", "cause" FROM "device_state" WHERE ${WHERE} ORDER BY time DESC LIMIT 50`,
            { table: true },
          ),
        ])
          .title("状态变化")
          .description("State changes (InfluxDB device_state): when, from which state, to which, why.")
          .span(12)
          .height(9),
        grid([
          influx(
            `SELECT "ticket", "event", "state", "actor" FROM "ticket_event" WHERE ${WHERE} ORDER BY time DESC LIMIT 50`,
            { table: true },
          ),
        ])
          .title("工单事件")
          .description(
            "Ticket events of this device (InfluxDB ticket_event): opened, accepted, arrived, cleared, verified…",
          )
          .span(12)
          .height(9),
        ticketClocksTable(24, 6),
      ],
    },
  ],
});
