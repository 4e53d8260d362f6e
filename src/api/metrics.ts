/**
 * Prometheus metrics of health, tickets and availability (names fixed in HELPERS.md). Gauges are
 * computed at scrape time from the engines' memory; the breach counter is incremented when the
 * ticket engine records a breach. Labels are bounded: ids, levels, states, clock names.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { HealthEngine } from "../health/engine.ts";
import { availabilityForPeriod } from "../ledger/availability.ts";
import { monthOf, monthPeriod } from "../ledger/period.ts";
import { deviceStates } from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import { clockNames } from "../tickets/deadlines.ts";
import type { TicketEngine } from "../tickets/engine.ts";
import { ticketStates } from "../tickets/store.ts";

/** Month-to-date availability is recomputed at most this often (a scrape every 15 s would be wasteful). */
const AVAILABILITY_TTL_MS = 60_000;

export function registerSlaMetrics(deps: {
  registry: Registry;
  config: Config;
  db: Db;
  clock: Clock;
  health: HealthEngine;
  tickets: TicketEngine;
}): void {
  const { registry, config, health, tickets, clock, db } = deps;
  const registers = [registry];
  new Gauge({
    name: "emcomm_device_state",
    help: "1 for the device's current health state, 0 for the others (up, degraded, down, impacted, maintenance, not-in-service, unmonitored).",
    labelNames: ["device", "site", "kind", "state"],
    registers,
    collect() {
      this.reset();
      for (const h of health.states()) {
        if (h.state === null) continue;
        for (const s of deviceStates)
          this.set({ device: h.device, site: h.site, kind: h.kind, state: s }, s === h.state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: "emcomm_device_fault",
    help: "1 for the fault code of a device that is down or degraded (unreachable, auth, protocol, stale, or its profile rule's code), or whose polls are failing (the code it will be declared down with); alert rules copy it into their labels.",
    labelNames: ["device", "site", "code"],
    registers,
    collect() {
      this.reset();
      for (const h of health.states()) {
        const code = h.state === "down" || h.state === "degraded" ? h.code : h.failing;
        if (code) this.set({ device: h.device, site: h.site, code }, 1);
      }
    },
  });
  new Gauge({
    name: "emcomm_site_in_service",
    help: "1 while the site is expected in service (always-calendar sites, or declared deployed), else 0.",
    labelNames: ["site"],
    registers,
    collect() {
      for (const s of health.sites()) this.set({ site: s.site }, s.inService ? 1 : 0);
    },
  });
  new Gauge({
    name: "emcomm_tickets_open",
    help: "Open fault tickets by level and state.",
    labelNames: ["level", "state"],
    registers,
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const t of tickets.openTickets())
        counts.set(`${t.level}|${t.state}`, (counts.get(`${t.level}|${t.state}`) ?? 0) + 1);
      for (const level of ["major", "general", "consult"])
        for (const state of ticketStates)
          if (state !== "closed") this.set({ level, state }, counts.get(`${level}|${state}`) ?? 0);
    },
  });
  new Gauge({
    name: "emcomm_ticket_clock_remaining_seconds",
    help: "Seconds to each running SLA deadline of each open ticket (respond, onsite, repair); negative once breached.",
    labelNames: ["ticket", "device", "site", "level", "clock"],
    registers,
    collect() {
      this.reset();
      for (const { ticket, clocks } of tickets.tick(clock.now()))
        for (const c of clockNames) {
          if (clocks[c].stoppedAt !== null) continue;
          this.set(
            {
              ticket: String(ticket.id),
              device: ticket.device ?? "",
              site: ticket.site ?? "",
              level: ticket.level,
              clock: c,
            },
            clocks[c].remainingMs / 1000,
          );
        }
    },
  });
  const breaches = new Counter({
    name: "emcomm_ticket_breaches_total",
    help: "SLA deadlines breached, by level and clock (each ticket's clock counts once).",
    labelNames: ["level", "clock"],
    registers,
  });
  tickets.onEvent((e, t) => {
    if (e.event === "breached") breaches.inc({ level: t.level, clock: String(e.detail?.clock ?? "") });
  });
  let cached: { at: number; values: { device: string; site: string; ratio: number }[] } | undefined;
  new Gauge({
    name: "emcomm_availability_month_to_date_ratio",
    help: "Availability of the device from the start of the contract month to now (0..1), under the accounting policy in force.",
    labelNames: ["device", "site"],
    registers,
    collect() {
      const now = clock.now();
      if (!cached || now - cached.at > AVAILABILITY_TTL_MS) {
        const month = monthPeriod(monthOf(now, config.daemon.timezone), config.daemon.timezone);
        const report = availabilityForPeriod(db, config, {
          from: month.from,
          to: Math.max(now, month.from + 1),
        });
        cached = {
          at: now,
          values: [...report.devices, ...report.providers].flatMap((d) =>
            d.availability === null ? [] : [{ device: d.device, site: d.site, ratio: d.availability / 100 }],
          ),
        };
      }
      this.reset();
      for (const v of cached.values) this.set({ device: v.device, site: v.site }, v.ratio);
    },
  });
}
