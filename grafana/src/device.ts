/** 设备详情: one device, drilled down from the NOC wall. */
import { STATE_MAPPINGS, stateCode, ticketClocksTable } from "./common.ts";
import { dashboard, influx, prom, SEL, table, tiles, timeseries, WHERE } from "./lib.ts";

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
        tiles({
          title: "当前状态",
          description: "Current state (up, degraded, down, not in service…).",
          targets: [prom(stateCode(), "{{device}}", { instant: true })],
          w: 6,
          h: 5,
          mappings: STATE_MAPPINGS,
          textSize: 24,
        }),
        table({
          title: "设备信息",
          description:
            "Inventory entry (emcomm_device_info): site, kind, vendor, model, criticality, polled.",
          targets: [prom(`emcomm_device_info{${SEL}}`, "", { instant: true, table: true })],
          w: 18,
          h: 5,
          transformations: [
            {
              id: "organize",
              options: {
                excludeByName: {
                  Time: true,
                  Value: true,
                  __name__: true,
                  job: true,
                  instance: true,
                  service: true,
                },
              },
            },
          ],
        }),
      ],
    },
    {
      title: "轮询 Polls",
      panels: [
        timeseries({
          title: "轮询结果",
          description: "Poll success over time (InfluxDB poll.up: 1 answered, 0 failed).",
          targets: [
            influx(
              `SELECT min("up") FROM "poll" WHERE ${WHERE} GROUP BY time($__interval), "device" fill(null)`,
            ),
          ],
          w: 12,
          h: 7,
          min: 0,
          max: 1,
        }),
        timeseries({
          title: "轮询耗时",
          description:
            "Poll duration (InfluxDB poll.duration_seconds) and the 95th percentile from Prometheus.",
          targets: [
            influx(
              `SELECT max("duration_seconds") FROM "poll" WHERE ${WHERE} GROUP BY time($__interval), "device" fill(null)`,
            ),
          ],
          w: 12,
          h: 7,
          unit: "s",
        }),
        timeseries({
          title: "轮询耗时 p95",
          description: "95th percentile poll duration (emcomm_poll_duration_seconds histogram).",
          targets: [
            prom(
              'histogram_quantile(0.95, sum by (device, le) (rate(emcomm_poll_duration_seconds_bucket{device=~"$device"}[$__rate_interval])))',
            ),
          ],
          w: 12,
          h: 7,
          unit: "s",
        }),
        timeseries({
          title: "轮询错误",
          description:
            "Failed polls per minute by error kind (emcomm_poll_errors_total): timeout, unreachable, auth…",
          targets: [
            prom(
              'sum by (device, kind) (rate(emcomm_poll_errors_total{device=~"$device"}[$__rate_interval])) * 60',
              "{{device}} {{kind}}",
            ),
          ],
          w: 12,
          h: 7,
          unit: "short",
        }),
        table({
          title: "最近失败",
          description: "The last failed polls with their error kind (InfluxDB poll.error_kind).",
          targets: [
            influx(
              `SELECT "error_kind", "duration_seconds" FROM "poll" WHERE ${WHERE} AND "up" = 0 ORDER BY time DESC LIMIT 20`,
              { table: true },
            ),
          ],
          w: 24,
          h: 7,
        }),
      ],
    },
    {
      title: "状态变化与工单 State changes and tickets",
      panels: [
        table({
          title: "状态变化",
          description: "State changes (InfluxDB device_state): when, from which state, to which, why.",
          targets: [
            influx(
              `SELECT "previous", "state", "cause" FROM "device_state" WHERE ${WHERE} ORDER BY time DESC LIMIT 50`,
              { table: true },
            ),
          ],
          w: 12,
          h: 9,
        }),
        table({
          title: "工单事件",
          description:
            "Ticket events of this device (InfluxDB ticket_event): opened, accepted, arrived, cleared, verified…",
          targets: [
            influx(
              `SELECT "ticket", "event", "state", "actor" FROM "ticket_event" WHERE ${WHERE} ORDER BY time DESC LIMIT 50`,
              { table: true },
            ),
          ],
          w: 12,
          h: 9,
        }),
        ticketClocksTable(24, 6),
      ],
    },
  ],
});
