/**
 * Queries and value mappings shared by several dashboards: the device state code behind the NOC
 * wall's colours, lock/alarm mappings, ticket clocks.
 */
import { grid, organize, prom, SEL, steps, valueMappings } from "./panels.ts";

/**
 * Device state as one number per device, worst highest, so `max by (site)` is a site's worst:
 * 0 unmonitored · 1 not in service · 2 maintenance · 3 up · 4 degraded · 5 impacted · 6 down.
 * From emcomm_device_state (the health engine); devices without a state fall back to their last
 * poll (up 3, down 6); devices nobody polls (manual) or not polled yet show as unmonitored (0).
 */
export const STATE_CODES: readonly [string, number][] = [
  ["unmonitored", 0],
  ["not-in-service", 1],
  ["maintenance", 2],
  ["up", 3],
  ["degraded", 4],
  ["impacted", 5],
  ["down", 6],
];

export function stateCode(selector = SEL, by = "site, device"): string {
  const fromState = STATE_CODES.map(
    ([state, code]) => `(emcomm_device_state{${selector}, state="${state}"} == 1) * ${code}`,
  ).join("\n    or ");
  return [
    `max by (${by}) (`,
    `  max by (site, device) (\n    ${fromState}\n  )`,
    `  or max by (site, device) (6 - 3 * emcomm_device_up{${selector}})`,
    `  or max by (site, device) (emcomm_device_info{${selector}} * 0)`,
    ")",
  ].join("\n");
}

export const STATE_MAPPINGS = valueMappings([
  { value: 0, text: "未监控 unmonitored", color: "#808080" },
  { value: 1, text: "未在役 not in service", color: "#808080" },
  { value: 2, text: "维护 maintenance", color: "blue" },
  { value: 3, text: "正常 up", color: "green" },
  { value: 4, text: "降级 degraded", color: "#FF9900" },
  { value: 5, text: "受影响 impacted", color: "#FF9900" },
  { value: 6, text: "故障 down", color: "red" },
]);

/** A 0/1 reading where 1 is the good state: 1 green, 0 red, each with its text. */
export function goodWhenOne(one: string, zero: string) {
  return valueMappings([
    { value: 1, text: one, color: "green" },
    { value: 0, text: zero, color: "red" },
  ]);
}

export const LOCK_MAPPINGS = goodWhenOne("锁定 locked", "失锁 unlocked");
export const OK_MAPPINGS = goodWhenOne("正常 ok", "故障 fault");
export const ALARM_MAPPINGS = valueMappings([
  { value: 0, text: "无告警 clear", color: "green" },
  { value: 1, text: "告警 alarm", color: "red" },
]);

export const ON_BATTERY_MAPPINGS = valueMappings([
  { value: 0, text: "市电 mains", color: "green" },
  { value: 1, text: "电池 battery", color: "#FF9900" },
]);

export const YES_NO_MAPPINGS = goodWhenOne("是 yes", "否 no");

/** Open tickets with the time left on each running clock, worst (least time) first. */
export function ticketClocksTable(w: number, h: number, selector = 'site=~"$site", device=~"$device"') {
  return grid(
    [prom(`sort(emcomm_ticket_clock_remaining_seconds{${selector}})`, "", { instant: true, table: true })],
    { column: "Value" },
  )
    .title("工单时限剩余")
    .description(
      "Open tickets and the time left on each running SLA clock (respond / on site / repair), worst first; negative = breached.",
    )
    .span(w)
    .height(h)
    .unit("s")
    .thresholds(steps([null, "red"], [0, "#FF9900"], [1800, "green"]))
    .withTransformation(
      organize(["Time", "__name__", "job", "instance", "service"], {
        ticket: "工单 ticket",
        device: "设备 device",
        site: "站点 site",
        level: "级别 level",
        clock: "时限 clock",
        Value: "剩余 left",
      }),
    )
    .overrideByName("Value", [{ id: "custom.cellOptions", value: { type: "color-background" } }]);
}
