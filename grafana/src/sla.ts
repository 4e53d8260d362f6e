/** 可用率与考核: month-to-date availability, repair timeliness, breaches, the score so far. */
import * as bargauge from "@grafana/grafana-foundation-sdk/bargauge";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as text from "@grafana/grafana-foundation-sdk/text";
import { ticketClocksTable } from "./common.ts";
import {
  byPalette,
  byThresholds,
  dashboard,
  grid,
  influx,
  PROM,
  prom,
  queries,
  SEL,
  steps,
  tiles,
  WHERE,
} from "./panels.ts";

const MONTH_TO_DATE = `emcomm_availability_month_to_date_ratio{${SEL}}`;

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
        tiles(prom(`avg(${MONTH_TO_DATE})`, "可用率", { instant: true }))
          .title("总体可用率")
          .description(
            "Mean month-to-date availability over the selected devices (emcomm_availability_month_to_date_ratio); the contract requires 99 %.",
          )
          .span(6)
          .height(6)
          .unit("percentunit")
          .decimals(2)
          .thresholds(steps([null, "red"], [0.99, "green"])),
        tiles(
          prom(`clamp(15 - clamp_min(99 - 100 * avg(${MONTH_TO_DATE}), 0), 0, 15)`, "得分 score", {
            instant: true,
          }),
        )
          .title("可用率得分(估算)")
          .description(
            "Availability score so far (附件二: 15 points, −1 per percentage point below 99 %, not below 0), from the mean month-to-date availability. The monthly report is the authority.",
          )
          .span(6)
          .height(6)
          .decimals(1)
          .min(0)
          .max(15)
          .thresholds(steps([null, "red"], [14, "#FF9900"], [15, "green"])),
        new bargauge.PanelBuilder()
          .datasource(PROM)
          .targets(queries(prom(`sort(${MONTH_TO_DATE})`, "{{device}}", { instant: true })))
          .title("设备可用率")
          .description("Month-to-date availability per device, worst first; red below the contract's 99 %.")
          .span(12)
          .height(14)
          .unit("percentunit")
          .decimals(2)
          .min(0.9)
          .max(1)
          .thresholds(steps([null, "red"], [0.99, "green"]))
          .colorScheme(byThresholds)
          .orientation(common.VizOrientation.Horizontal)
          .displayMode(common.BarGaugeDisplayMode.Lcd)
          .showUnfilled(true)
          .reduceOptions(
            new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).fields("").values(false),
          ),
        grid(
          [
            influx(`SELECT mean("up") AS "ratio" FROM "poll" WHERE ${WHERE} GROUP BY "device"`, {
              table: true,
            }),
          ],
          { column: "ratio" },
        )
          .title("轮询成功率")
          .description(
            "Share of successful polls per device over the selected time range (InfluxDB poll.up): the raw signal behind availability, not the contract's figure.",
          )
          .span(12)
          .height(8)
          .unit("percentunit")
          .thresholds(steps([null, "red"], [0.99, "green"])),
      ],
    },
    {
      title: "工单时限 Ticket clocks",
      panels: [
        tiles(prom("sum by (level) (emcomm_tickets_open)", "{{level}}", { instant: true }))
          .title("未结工单")
          .description("Open tickets by fault level (emcomm_tickets_open).")
          .span(6)
          .height(5)
          .thresholds(steps([null, "green"], [1, "#FF9900"])),
        tiles(
          prom(
            "sum by (level, clock) (increase(emcomm_ticket_breaches_total[$__range]))",
            "{{level}} {{clock}}",
            { instant: true },
          ),
        )
          .title("本期超时")
          .description(
            "SLA clock breaches in the selected range by level and clock (increase of emcomm_ticket_breaches_total); each costs repair timeliness (≥ 98 %, 30 points).",
          )
          .span(6)
          .height(5)
          .decimals(0)
          .thresholds(steps([null, "green"], [1, "red"])),
        tiles(
          influx(
            `SELECT count("ticket") AS "opened" FROM "ticket_event" WHERE $timeFilter AND "site" =~ /^$site$/ AND "event" = 'opened'`,
          ),
          influx(
            `SELECT count("ticket") AS "breached" FROM "ticket_event" WHERE $timeFilter AND "site" =~ /^$site$/ AND "event" = 'breached'`,
          ),
        )
          .title("开单/超时事件")
          .description("Tickets opened and clocks breached in the selected range (InfluxDB ticket_event).")
          .span(12)
          .height(5)
          .decimals(0)
          .colorScheme(byPalette),
        ticketClocksTable(24, 9),
        new text.PanelBuilder()
          .title("考核说明")
          .description("How the score is computed and where the authoritative figures come from.")
          .span(24)
          .height(4)
          .mode(text.TextMode.Markdown)
          .content(
            "**考核 Scoring (附件二)**: 费用 = 合同总价 × 绩效分/100 × 服务分/100。故障修复及时率 ≥ 98 %(30 分)、设备可用率 ≥ 99 %(15 分)、重复故障 = 0(15 分,每次 −3)由本系统月报统计;其余指标人工录入。本页为当月实时估算,以月度报表为准。 / Repair timeliness, availability and repeat faults come from the monthly report; this page is the live estimate.",
          ),
      ],
    },
  ],
});
