/** 可用率与考核: month-to-date availability, repair timeliness, breaches, the score so far. */
import { ticketClocksTable } from "./common.ts";
import { dashboard, influx, prom, SEL, table, tiles, WHERE } from "./lib.ts";

export const sla = dashboard({
  uid: "emcomm-sla",
  title: "可用率与考核",
  description:
    "Availability and SLA: month-to-date availability per device against the contract's 99 %, ticket clocks and breaches against the 98 % repair timeliness, and the availability part of the monthly score.",
  tags: ["sla"],
  time: "now/M",
  rows: [
    {
      title: "设备可用率 Availability (month to date)",
      panels: [
        tiles({
          title: "总体可用率",
          description:
            "Mean month-to-date availability over the selected devices (emcomm_availability_month_to_date_ratio); the contract requires 99 %.",
          targets: [
            prom(`avg(emcomm_availability_month_to_date_ratio{${SEL}})`, "可用率", { instant: true }),
          ],
          w: 6,
          h: 6,
          unit: "percentunit",
          decimals: 2,
          thresholds: [
            [null, "red"],
            [0.99, "green"],
          ],
        }),
        tiles({
          title: "可用率得分(估算)",
          description:
            "Availability score so far (附件二: 15 points, −1 per percentage point below 99 %, not below 0), from the mean month-to-date availability. The monthly report is the authority.",
          targets: [
            prom(
              `clamp(15 - clamp_min(99 - 100 * avg(emcomm_availability_month_to_date_ratio{${SEL}}), 0), 0, 15)`,
              "得分 score",
              { instant: true },
            ),
          ],
          w: 6,
          h: 6,
          decimals: 1,
          min: 0,
          max: 15,
          thresholds: [
            [null, "red"],
            [14, "#FF9900"],
            [15, "green"],
          ],
        }),
        {
          type: "bargauge",
          title: "设备可用率",
          description: "Month-to-date availability per device, worst first; red below the contract's 99 %.",
          targets: [
            prom(`sort(emcomm_availability_month_to_date_ratio{${SEL}})`, "{{device}}", { instant: true }),
          ],
          w: 12,
          h: 14,
          unit: "percentunit",
          decimals: 2,
          min: 0.9,
          max: 1,
          thresholds: [
            [null, "red"],
            [0.99, "green"],
          ],
          options: {
            orientation: "horizontal",
            displayMode: "lcd",
            showUnfilled: true,
            reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
          },
        },
        table({
          title: "轮询成功率",
          description:
            "Share of successful polls per device over the selected time range (InfluxDB poll.up): the raw signal behind availability, not the contract's figure.",
          targets: [
            influx(`SELECT mean("up") AS "ratio" FROM "poll" WHERE ${WHERE} GROUP BY "device"`, {
              table: true,
            }),
          ],
          w: 12,
          h: 8,
          unit: "percentunit",
          thresholds: [
            [null, "red"],
            [0.99, "green"],
          ],
          sortBy: "ratio",
        }),
      ],
    },
    {
      title: "工单时限 Ticket clocks",
      panels: [
        tiles({
          title: "未结工单",
          description: "Open tickets by fault level (emcomm_tickets_open).",
          targets: [prom("sum by (level) (emcomm_tickets_open)", "{{level}}", { instant: true })],
          w: 6,
          h: 5,
          thresholds: [
            [null, "green"],
            [1, "#FF9900"],
          ],
        }),
        tiles({
          title: "本期超时",
          description:
            "SLA clock breaches in the selected range by level and clock (increase of emcomm_ticket_breaches_total); each costs repair timeliness (≥ 98 %, 30 points).",
          targets: [
            prom(
              "sum by (level, clock) (increase(emcomm_ticket_breaches_total[$__range]))",
              "{{level}} {{clock}}",
              { instant: true },
            ),
          ],
          w: 6,
          h: 5,
          decimals: 0,
          thresholds: [
            [null, "green"],
            [1, "red"],
          ],
        }),
        tiles({
          title: "开单/超时事件",
          description: "Tickets opened and clocks breached in the selected range (InfluxDB ticket_event).",
          targets: [
            influx(
              `SELECT count("ticket") AS "opened" FROM "ticket_event" WHERE $timeFilter AND "site" =~ /^$site$/ AND "event" = 'opened'`,
            ),
            influx(
              `SELECT count("ticket") AS "breached" FROM "ticket_event" WHERE $timeFilter AND "site" =~ /^$site$/ AND "event" = 'breached'`,
            ),
          ],
          w: 12,
          h: 5,
          decimals: 0,
        }),
        ticketClocksTable(24, 9),
        {
          type: "text",
          title: "考核说明",
          description: "How the score is computed and where the authoritative figures come from.",
          w: 24,
          h: 4,
          content:
            "**考核 Scoring (附件二)**: 费用 = 合同总价 × 绩效分/100 × 服务分/100。故障修复及时率 ≥ 98 %(30 分)、设备可用率 ≥ 99 %(15 分)、重复故障 = 0(15 分,每次 −3)由本系统月报统计;其余指标人工录入。本页为当月实时估算,以月度报表为准。 / Repair timeliness, availability and repeat faults come from the monthly report; this page is the live estimate.",
        },
      ],
    },
  ],
});
