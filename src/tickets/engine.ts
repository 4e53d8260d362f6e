/**
 * The ticket engine: opens tickets from health transitions (one open ticket per device and fault
 * code, never a duplicate), takes manual tickets, runs the contract's fault flow
 *
 *   opened → accepted (the response) → onsite → cleared (销障) → closed (结单, by the bureau)
 *                                         ↑__________ rejected (clocks keep running) ___|
 *
 * records every change in the append-only audit trail, flags repeat faults, and evaluates the SLA
 * clocks of every open ticket on `tick()` (breaches are recorded once each). Called synchronously
 * from the health engine's listeners, the HTTP API and a periodic tick; single-threaded.
 */
import type { Logger } from "pino";
import type { Config, DeviceConfig, FaultLevel } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { DeviceHealth } from "../health/engine.ts";
import type { Transition } from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import { type ClockName, type ClockStatus, clockNames, ticketClocks } from "./deadlines.ts";
import { isRepeat } from "./repeats.ts";
import {
  appendEvent,
  getTicket,
  insertTicket,
  lastRepaired,
  openedTicket,
  openTicketFor,
  openTickets,
  recordedClockEvents,
  type Ticket,
  type TicketEvent,
  type TicketOpening,
  type TicketState,
  ticketEvents,
  updateTicket,
} from "./store.ts";

export type Role = "engineer" | "supervisor" | "viewer";
export interface Actor {
  name: string;
  role: Role;
}

export const ticketActions = ["accept", "arrive", "clear", "verify", "reject", "comment"] as const;
export type TicketAction = (typeof ticketActions)[number];

/** The fault-record fields people fill in (contract 一.3(6)). */
export const recordFields = [
  "symptom",
  "faultType",
  "cause",
  "handling",
  "responsibility",
  "lessons",
  "handler",
] as const;
export type RecordFields = Partial<Record<(typeof recordFields)[number], string>>;

export class TicketError extends Error {
  override readonly name = "TicketError";
  constructor(
    /** HTTP status to answer with: 400 bad input, 403 role, 404 unknown, 409 wrong state. */
    readonly status: 400 | 403 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export type TicketListener = (event: TicketEvent, ticket: Ticket) => void;

export interface TicketView extends Ticket {
  clocks: Record<ClockName, ClockStatus>;
}

const SYSTEM = "monitor";

export class TicketEngine {
  private readonly open = new Map<number, Ticket>();
  private readonly breached: Set<string>;
  private readonly warned: Set<string>;
  private readonly listeners: TicketListener[] = [];
  private readonly devices: Map<string, DeviceConfig>;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly sla: Config["sla"];

  constructor(options: { db: Db; config: Pick<Config, "devices" | "sla">; clock: Clock; log: Logger }) {
    this.db = options.db;
    this.clock = options.clock;
    this.log = options.log;
    this.sla = options.config.sla;
    this.devices = new Map(options.config.devices.map((d) => [d.id, d]));
    for (const t of openTickets(this.db)) this.open.set(t.id, t);
    this.breached = recordedClockEvents(this.db, "breached");
    this.warned = recordedClockEvents(this.db, "warned");
  }

  onEvent(fn: TicketListener): void {
    this.listeners.push(fn);
  }

  /** Health listener: opens, annotates or proposes clearance of automatic tickets. */
  onTransition(t: Transition, health: DeviceHealth): void {
    const device = this.devices.get(t.device);
    if (!device) return;
    const faulty = t.state === "down" || (t.state === "degraded" && health.linkDrop);
    if (faulty && !health.thirdParty) {
      const code = t.code ?? "unreachable";
      const existing = openTicketFor(this.db, t.device, code);
      if (existing) {
        // Same fault again while its ticket is open (flapping, or monitoring resumed): one ticket.
        if (t.cause.startsWith("monitoring resumed")) return;
        let ticket = updateTicket(this.db, existing.id, {
          restoredAt: null,
          flapping: existing.flapping || health.flapping,
        });
        this.emit(ticket, {
          at: t.recordedAt,
          actor: SYSTEM,
          event: "recurred",
          detail: { at: t.at, transition: t.id },
        });
        if (health.flapping && !existing.flapping)
          this.emit(ticket, {
            at: t.recordedAt,
            actor: SYSTEM,
            event: "flapping",
            detail: { transition: t.id },
          });
        ticket = this.cache(ticket);
        return;
      }
      const level: FaultLevel = this.sla.devices[t.device]?.level ?? device.criticality;
      const previous = lastRepaired(this.db, t.device, code);
      const lastRepair = previous ? (previous.repairedAt ?? previous.clearedAt ?? previous.closedAt) : null;
      const repeatOf = previous && isRepeat(lastRepair, t.at, this.sla.repeatWindow) ? previous.id : null;
      this.create(
        {
          device: t.device,
          site: t.site,
          code,
          level,
          source: "auto",
          reportedAt: t.recordedAt,
          faultStart: t.at,
          symptom: `${device.name.zh} / ${device.name.en}: ${t.cause}`,
          faultType: code,
          repeatOf,
          flapping: health.flapping,
        },
        SYSTEM,
        { transition: t.id },
      );
      return;
    }
    if (t.state === "up" || t.state === "degraded") {
      // Recovery: propose clearance with the measured restoration time, on every open auto ticket.
      for (const ticket of this.open.values()) {
        if (ticket.device !== t.device || ticket.source !== "auto" || ticket.restoredAt !== null) continue;
        if (ticket.state === "closed") continue;
        const updated = this.cache(updateTicket(this.db, ticket.id, { restoredAt: t.at }));
        this.emit(updated, {
          at: t.recordedAt,
          actor: SYSTEM,
          event: "restored",
          detail: { restoredAt: t.at, outageMs: t.at - ticket.faultStart, proposal: "clear" },
        });
      }
    }
  }

  /** A ticket reported by phone or for a consultation. */
  openManual(
    input: {
      device?: string | null;
      level: FaultLevel;
      symptom: string;
      code?: string;
      faultType?: string;
      reportedAt?: number;
      faultStart?: number;
    },
    actor: Actor,
  ): Ticket {
    if (actor.role === "viewer") throw new TicketError(403, "viewers cannot open tickets");
    const device = input.device ? this.devices.get(input.device) : undefined;
    if (input.device && !device) throw new TicketError(404, `no device ${input.device}`);
    const now = this.clock.now();
    const reportedAt = Math.min(input.reportedAt ?? now, now);
    const code = input.code ?? "manual";
    if (device && openTicketFor(this.db, device.id, code))
      throw new TicketError(409, `device ${device.id} already has an open ticket for ${code}`);
    return this.create(
      {
        device: device?.id ?? null,
        site: device?.site ?? null,
        code,
        level: input.level,
        source: "manual",
        reportedAt,
        faultStart: Math.min(input.faultStart ?? reportedAt, reportedAt),
        symptom: input.symptom,
        faultType: input.faultType ?? null,
        repeatOf: null,
        flapping: false,
      },
      actor.name,
      {},
    );
  }

  /** One step of the fault flow. `body.note` is kept in the audit trail. */
  act(
    id: number,
    action: TicketAction,
    actor: Actor,
    body: RecordFields & { note?: string; repairedAt?: number } = {},
  ): Ticket {
    const ticket = getTicket(this.db, id);
    if (!ticket) throw new TicketError(404, `no ticket ${id}`);
    if (actor.role === "viewer") throw new TicketError(403, "viewers cannot change tickets");
    if ((action === "verify" || action === "reject") && actor.role !== "supervisor")
      throw new TicketError(403, `only the bureau's supervisors ${action} tickets`);
    const now = this.clock.now();
    const fields = pickFields(body);
    const wrong = (allowed: TicketState[]) => {
      if (!allowed.includes(ticket.state))
        throw new TicketError(409, `cannot ${action} ticket ${id}: it is ${ticket.state}`);
    };
    let changes: Partial<Ticket> = {};
    let event: string = action;
    switch (action) {
      case "accept":
        wrong(["opened"]);
        changes = {
          state: "accepted",
          acceptedAt: now,
          handler: fields.handler ?? ticket.handler ?? actor.name,
        };
        event = "accepted";
        break;
      case "arrive":
        wrong(["opened", "accepted"]);
        changes = {
          state: "onsite",
          acceptedAt: ticket.acceptedAt ?? now,
          arrivedAt: now,
          handler: fields.handler ?? ticket.handler ?? actor.name,
        };
        event = "arrived";
        break;
      case "clear": {
        wrong(["opened", "accepted", "onsite"]);
        // The contract's fault record (一.3(6)): a clearance states the cause, the handling and who
        // was responsible. Already-recorded values count; blank ones do not.
        const missing = (["cause", "handling", "responsibility"] as const).filter(
          (k) => !(fields[k] ?? ticket[k] ?? "").trim(),
        );
        if (missing.length > 0)
          throw new TicketError(400, `a clearance needs the fault record's ${missing.join(", ")}`);
        const repairedAt = body.repairedAt ?? ticket.restoredAt ?? now;
        if (!(repairedAt >= ticket.faultStart && repairedAt <= now))
          throw new TicketError(400, "repairedAt must lie between the fault's start and now");
        changes = {
          state: "cleared",
          acceptedAt: ticket.acceptedAt ?? now,
          clearedAt: now,
          repairedAt,
          handler: fields.handler ?? ticket.handler ?? actor.name,
        };
        event = "cleared";
        break;
      }
      case "verify":
        wrong(["cleared"]);
        changes = { state: "closed", closedAt: now };
        event = "verified";
        break;
      case "reject":
        wrong(["cleared"]);
        if (!body.note) throw new TicketError(400, "a rejection needs a note saying what is not restored");
        changes = {
          state: ticket.arrivedAt !== null ? "onsite" : "accepted",
          clearedAt: null,
          repairedAt: null,
          rejections: ticket.rejections + 1,
        };
        event = "rejected";
        break;
      case "comment":
        if (!body.note) throw new TicketError(400, "a comment needs a note");
        event = "commented";
        break;
    }
    const before = ticket;
    const updated = this.db.transaction(() => {
      const t = updateTicket(this.db, id, { ...fields, ...changes });
      this.emit(t, {
        at: now,
        actor: actor.name,
        event,
        fromState: before.state,
        detail: { ...(body.note ? { note: body.note } : {}), ...diff(before, t) },
      });
      return t;
    })();
    this.evaluateClocks(updated, now);
    return this.cache(updated);
  }

  /** Edits fault-record fields (symptom, cause, handling, ...), audited with before and after. */
  update(id: number, fields: RecordFields, actor: Actor): Ticket {
    const ticket = getTicket(this.db, id);
    if (!ticket) throw new TicketError(404, `no ticket ${id}`);
    if (actor.role === "viewer") throw new TicketError(403, "viewers cannot change tickets");
    const changes = pickFields(fields);
    if (Object.keys(changes).length === 0)
      throw new TicketError(400, `nothing to update (fields: ${recordFields.join(", ")})`);
    const t = this.db.transaction(() => {
      const t = updateTicket(this.db, id, changes);
      this.emit(t, {
        at: this.clock.now(),
        actor: actor.name,
        event: "updated",
        fromState: ticket.state,
        detail: diff(ticket, t),
      });
      return t;
    })();
    return this.cache(t);
  }

  get(id: number): TicketView | undefined {
    const t = getTicket(this.db, id);
    return t ? this.view(t) : undefined;
  }

  events(id: number): TicketEvent[] {
    return ticketEvents(this.db, id);
  }

  view(t: Ticket, now = this.clock.now()): TicketView {
    return { ...t, clocks: ticketClocks(t, this.sla.clocks, now) };
  }

  /** Open tickets (in memory, no query). */
  openTickets(): Ticket[] {
    return [...this.open.values()];
  }

  /**
   * Evaluates every open ticket's clocks at `now`, records each new breach once (event
   * `breached`, at the deadline) and returns the clock statuses for metrics. Cheap: memory only,
   * plus one write per new breach.
   */
  tick(now = this.clock.now()): { ticket: Ticket; clocks: Record<ClockName, ClockStatus> }[] {
    const out: { ticket: Ticket; clocks: Record<ClockName, ClockStatus> }[] = [];
    for (const ticket of this.open.values()) out.push({ ticket, clocks: this.evaluateClocks(ticket, now) });
    return out;
  }

  private evaluateClocks(ticket: Ticket, now: number): Record<ClockName, ClockStatus> {
    const clocks = ticketClocks(ticket, this.sla.clocks, now);
    for (const name of clockNames) {
      const c = clocks[name];
      const key = `${ticket.id}:${name}`;
      if (c.status === "warning" && !this.warned.has(key)) {
        // Once per ticket and clock: the on-call engineer is told before the deadline passes.
        this.warned.add(key);
        this.emit(ticket, {
          at: now,
          actor: SYSTEM,
          event: "warned",
          detail: { clock: name, deadline: c.deadline, remainingMs: c.remainingMs },
        });
      }
      if (!c.breached) continue;
      if (this.breached.has(key)) continue;
      this.breached.add(key);
      this.emit(ticket, {
        at: Math.min(c.deadline, now),
        actor: SYSTEM,
        event: "breached",
        detail: { clock: name, deadline: c.deadline },
      });
    }
    return clocks;
  }

  private create(t: Omit<TicketOpening, "openedBy">, actor: string, detail: Record<string, unknown>): Ticket {
    const ticket = this.db.transaction(() => {
      const ticket = insertTicket(this.db, openedTicket({ ...t, openedBy: actor }));
      this.emit(ticket, {
        // An automatic ticket opens when its transition was decided (a write held while the store
        // could not write lands with its original time).
        at: t.source === "auto" ? t.reportedAt : this.clock.now(),
        actor,
        event: "opened",
        detail: { ...detail, level: t.level, ...(t.repeatOf !== null ? { repeatOf: t.repeatOf } : {}) },
      });
      return ticket;
    })();
    const level = ticket.level === "major" ? "warn" : "info";
    this.log[level](
      {
        ticket: ticket.id,
        device: ticket.device,
        code: ticket.code,
        level: ticket.level,
        repeatOf: ticket.repeatOf,
      },
      ticket.level === "major"
        ? "MAJOR fault ticket opened: report to the bureau at once"
        : "fault ticket opened",
    );
    return this.cache(ticket);
  }

  private cache(t: Ticket): Ticket {
    if (t.state === "closed") this.open.delete(t.id);
    else this.open.set(t.id, t);
    return t;
  }

  private emit(
    ticket: Ticket,
    e: {
      at: number;
      actor: string;
      event: string;
      fromState?: TicketState | null;
      detail?: Record<string, unknown>;
    },
  ): void {
    const event = appendEvent(this.db, {
      ticketId: ticket.id,
      at: e.at,
      actor: e.actor,
      event: e.event,
      fromState: e.fromState ?? ticket.state,
      toState: ticket.state,
      detail: e.detail ?? null,
    });
    if (e.event !== "opened")
      this.log.info(
        { ticket: ticket.id, event: e.event, actor: e.actor, state: ticket.state },
        `ticket ${e.event}`,
      );
    for (const fn of this.listeners) {
      try {
        fn(event, ticket);
      } catch (err) {
        this.log.error({ err, ticket: ticket.id }, "ticket listener failed");
      }
    }
  }
}

function pickFields(body: RecordFields): Partial<Ticket> {
  const out: Record<string, string> = {};
  for (const k of recordFields) {
    const v = body[k];
    if (typeof v === "string" && v.length > 0) out[k] = v;
  }
  return out as Partial<Ticket>;
}

function diff(before: Ticket, after: Ticket): Record<string, unknown> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of Object.keys(after) as (keyof Ticket)[])
    if (before[k] !== after[k]) changes[k] = { from: before[k], to: after[k] };
  return Object.keys(changes).length ? { changes } : {};
}
