/**
 * The telemetry an inspection starts from: the device's latest readings of what the checklist
 * looks at (UPS battery and alarms, generator hours, battery and fuel, antenna and modem lock and
 * Eb/No, BUC temperature and alarms, interface errors, uptime, firmware), plus the month's outages
 * from the ledger, so the engineer on site confirms rather than re-measures. The generator's
 * running hours raise a meter-based note when its service falls due.
 *
 * Called by the records engine when an inspection or an activity is created; synchronous, reads
 * the in-memory status board and the store, never writes.
 */
import { transitionsBetween } from "../ledger/store.ts";
import type { StatusBoard } from "../status.ts";
import type { Db } from "../store/db.ts";
import type { Reading } from "./kinds.ts";

export interface TelemetrySource {
  /** Readings of `device` for a visit covering [start, end). */
  readings(device: string, window: { start: number; end: number }): Reading[];
}

/** The metrics an inspection looks at (profile names, see drivers/*\/README.md). */
export const INSPECTION_METRICS =
  /^(ups_|generator_(run_hours|battery_volts|fuel_percent|.*alarm|fail_to_start)|antenna_sat_locked|modem_(rx_locked|ebno_db)|ka_(ebno_db|sat_locked)|buc_(temperature_celsius|.*alarm)|if_(in|out)_errors_total|system_uptime_seconds|.*firmware.*|.*self_test.*)/;

/** Running hours between generator services (meter-based trigger) and how early it is flagged. */
export interface ServicePolicy {
  everyHours: number;
  warnHours: number;
}
export const defaultServicePolicy: ServicePolicy = { everyHours: 250, warnHours: 25 };

/** "service due" when the next multiple of `everyHours` is at most `warnHours` away (or passed). */
export function generatorServiceNote(
  hours: number,
  p: ServicePolicy = defaultServicePolicy,
): string | undefined {
  if (!(hours > 0)) return undefined;
  const next = Math.ceil(hours / p.everyHours) * p.everyHours;
  if (next - hours > p.warnHours) return undefined;
  return `保养到期：下次保养 ${next} h / generator service due at ${next} h`;
}

export function statusTelemetry(
  board: StatusBoard,
  db?: Db,
  service: ServicePolicy = defaultServicePolicy,
): TelemetrySource {
  return {
    readings(device, window) {
      const out: Reading[] = [];
      const latest = board.get(device)?.latest;
      for (const s of latest?.samples ?? []) {
        if (!INSPECTION_METRICS.test(s.metric)) continue;
        const note = s.metric === "generator_run_hours" ? generatorServiceNote(s.value, service) : undefined;
        out.push({
          metric: s.metric,
          ...(s.labels ? { labels: { ...s.labels } } : {}),
          value: s.value,
          at: latest!.at,
          source: "telemetry",
          ...(note ? { note } : {}),
        });
      }
      if (db) {
        const downs = transitionsBetween(db, window.start, window.end, device).filter(
          (t) => t.state === "down",
        );
        out.push({
          metric: "ledger_down_transitions",
          value: downs.length,
          at: window.end,
          source: "telemetry",
          note: "本月停机次数 / outages this month",
        });
      }
      return out;
    },
  };
}
