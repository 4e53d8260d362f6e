/**
 * Tickets and their audit trail in the store (migration 3). Rows of `tickets` change as a ticket
 * moves; every change is also an append-only row of `ticket_events` (who, when, what, from/to
 * state), so the history can be replayed and audited. A partial unique index guarantees one open
 * ticket per device and fault code, even across restarts.
 */
import type { FaultLevel } from "../config/schema.ts";
import type { Db } from "../store/db.ts";

export const ticketStates = ["opened", "accepted", "onsite", "cleared", "closed"] as const;
export type TicketState = (typeof ticketStates)[number];

/** A fault record: the contract's fields plus the timestamps the clocks run on (ms since epoch). */
export interface Ticket {
  id: number;
  device: string | null;
  site: string | null;
  code: string;
  level: FaultLevel;
  source: "auto" | "manual";
  state: TicketState;
  /** SLA clocks start here. */
  reportedAt: number;
  /** Start time of the fault: for automatic tickets the outage's first failed poll. */
  faultStart: number;
  acceptedAt: number | null;
  arrivedAt: number | null;
  clearedAt: number | null;
  /** Repair time of the record; stops the repair clock. */
  repairedAt: number | null;
  /** Measured: first good poll of the device's recovery (evidence for the clearance). */
  restoredAt: number | null;
  closedAt: number | null;
  repeatOf: number | null;
  flapping: boolean;
  rejections: number;
  symptom: string;
  faultType: string | null;
  cause: string | null;
  handling: string | null;
  responsibility: string | null;
  lessons: string | null;
  handler: string | null;
  openedBy: string;
}

/** What a ticket is opened with; everything else starts empty (`openedTicket`). */
export type TicketOpening = Omit<
  Ticket,
  | "id"
  | "state"
  | "acceptedAt"
  | "arrivedAt"
  | "clearedAt"
  | "repairedAt"
  | "restoredAt"
  | "closedAt"
  | "rejections"
  | "cause"
  | "handling"
  | "responsibility"
  | "lessons"
  | "handler"
>;

/** A ticket as it opens (state opened, no clock stamped, no rejection, no findings), for insertTicket. */
export function openedTicket(t: TicketOpening): Omit<Ticket, "id"> {
  return {
    ...t,
    state: "opened",
    acceptedAt: null,
    arrivedAt: null,
    clearedAt: null,
    repairedAt: null,
    restoredAt: null,
    closedAt: null,
    rejections: 0,
    cause: null,
    handling: null,
    responsibility: null,
    lessons: null,
    handler: null,
  };
}

export interface TicketEvent {
  id: number;
  ticketId: number;
  at: number;
  actor: string;
  event: string;
  fromState: TicketState | null;
  toState: TicketState | null;
  detail: Record<string, unknown> | null;
}

const columns: Record<keyof Omit<Ticket, "id">, string> = {
  device: "device",
  site: "site",
  code: "code",
  level: "level",
  source: "source",
  state: "state",
  reportedAt: "reported_at",
  faultStart: "fault_start",
  acceptedAt: "accepted_at",
  arrivedAt: "arrived_at",
  clearedAt: "cleared_at",
  repairedAt: "repaired_at",
  restoredAt: "restored_at",
  closedAt: "closed_at",
  repeatOf: "repeat_of",
  flapping: "flapping",
  rejections: "rejections",
  symptom: "symptom",
  faultType: "fault_type",
  cause: "cause",
  handling: "handling",
  responsibility: "responsibility",
  lessons: "lessons",
  handler: "handler",
  openedBy: "opened_by",
};

/** What every read of tickets selects: id, then the columns of `columns` in their order. */
const ticketColumns = ["id", ...Object.values(columns)].join(", ");

/**
 * A tickets row read with `.raw()` over `ticketColumns` as the Ticket it stores, flapping a boolean.
 * Values, not objects: a year's report reads thousands of rows, and SQLite's named rows cost about
 * twice as much to build. Each value's index is its column's place in `ticketColumns`.
 */
function ticketFromValues(v: readonly unknown[]): Ticket {
  return {
    id: v[0],
    device: v[1],
    site: v[2],
    code: v[3],
    level: v[4],
    source: v[5],
    state: v[6],
    reportedAt: v[7],
    faultStart: v[8],
    acceptedAt: v[9],
    arrivedAt: v[10],
    clearedAt: v[11],
    repairedAt: v[12],
    restoredAt: v[13],
    closedAt: v[14],
    repeatOf: v[15],
    flapping: v[16] === 1,
    rejections: v[17] ?? 0,
    symptom: v[18],
    faultType: v[19],
    cause: v[20],
    handling: v[21],
    responsibility: v[22],
    lessons: v[23],
    handler: v[24],
    openedBy: v[25],
  } as Ticket;
}

/** The tickets that `clauses` (SQL after FROM tickets: WHERE, ORDER BY, LIMIT) select with `args`. */
export function readTickets(db: Db, clauses: string, ...args: unknown[]): Ticket[] {
  const rows = db
    .prepare(`SELECT ${ticketColumns} FROM tickets ${clauses}`)
    .raw()
    .all(...args);
  return (rows as unknown[][]).map(ticketFromValues);
}

export function insertTicket(db: Db, t: Omit<Ticket, "id">): Ticket {
  const keys = Object.keys(columns) as (keyof Omit<Ticket, "id">)[];
  const values = keys.map((k) => (k === "flapping" ? (t.flapping ? 1 : 0) : (t[k] ?? null)));
  // all(), never get(), on a statement with RETURNING: get() can miss an error raised when the
  // statement completes (SQLITE_FULL at commit) and return a row that was never stored.
  const [row] = db
    .prepare(
      `INSERT INTO tickets (${keys.map((k) => columns[k]).join(", ")}) VALUES (${keys.map(() => "?").join(", ")}) RETURNING ${ticketColumns}`,
    )
    .raw()
    .all(...values) as unknown[][];
  return ticketFromValues(row!);
}

export function updateTicket(db: Db, id: number, changes: Partial<Omit<Ticket, "id">>): Ticket {
  const keys = Object.keys(changes) as (keyof Omit<Ticket, "id">)[];
  if (keys.length === 0) return getTicket(db, id)!;
  const values = keys.map((k) => {
    const v = changes[k];
    return typeof v === "boolean" ? (v ? 1 : 0) : (v ?? null);
  });
  const [row] = db
    .prepare(
      `UPDATE tickets SET ${keys.map((k) => `${columns[k]} = ?`).join(", ")} WHERE id = ? RETURNING ${ticketColumns}`,
    )
    .raw()
    .all(...values, id) as unknown[][];
  if (!row) throw new RangeError(`no ticket ${id}`);
  return ticketFromValues(row);
}

export function getTicket(db: Db, id: number): Ticket | undefined {
  return readTickets(db, "WHERE id = ?", id)[0];
}

export function openTicketFor(db: Db, device: string, code: string): Ticket | undefined {
  return readTickets(db, "WHERE device = ? AND code = ? AND state != 'closed'", device, code)[0];
}

export function openTickets(db: Db): Ticket[] {
  return readTickets(db, "WHERE state != 'closed' ORDER BY id");
}

export interface TicketFilter {
  state?: TicketState | "open";
  level?: FaultLevel;
  device?: string;
  site?: string;
  /** reported_at in [from, to). */
  from?: number;
  to?: number;
  limit?: number;
}

export function listTickets(db: Db, f: TicketFilter = {}): Ticket[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.state === "open") where.push("state != 'closed'");
  else if (f.state) {
    where.push("state = ?");
    args.push(f.state);
  }
  for (const k of ["level", "device", "site"] as const)
    if (f[k]) {
      where.push(`${k} = ?`);
      args.push(f[k]);
    }
  if (f.from !== undefined) {
    where.push("reported_at >= ?");
    args.push(f.from);
  }
  if (f.to !== undefined) {
    where.push("reported_at < ?");
    args.push(f.to);
  }
  const clauses = `${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id ${f.limit ? `LIMIT ${Math.floor(f.limit)}` : ""}`;
  return readTickets(db, clauses, ...args);
}

/** The last ticket of the device and code that was repaired or closed (for repeat faults). */
export function lastRepaired(db: Db, device: string, code: string): Ticket | undefined {
  return readTickets(
    db,
    `WHERE device = ? AND code = ? AND state = 'closed'
     ORDER BY COALESCE(repaired_at, cleared_at, closed_at) DESC, id DESC LIMIT 1`,
    device,
    code,
  )[0];
}

export function appendEvent(db: Db, e: Omit<TicketEvent, "id">): TicketEvent {
  const { lastInsertRowid } = db
    .prepare(
      "INSERT INTO ticket_events (ticket_id, at, actor, event, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .run(
      e.ticketId,
      e.at,
      e.actor,
      e.event,
      e.fromState,
      e.toState,
      e.detail ? JSON.stringify(e.detail) : null,
    );
  return { ...e, id: Number(lastInsertRowid) };
}

export function ticketEvents(db: Db, ticketId: number): TicketEvent[] {
  const rows = db.prepare("SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id").all(ticketId) as {
    id: number;
    ticket_id: number;
    at: number;
    actor: string;
    event: string;
    from_state: TicketState | null;
    to_state: TicketState | null;
    detail: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    ticketId: r.ticket_id,
    at: r.at,
    actor: r.actor,
    event: r.event,
    fromState: r.from_state,
    toState: r.to_state,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  }));
}

/** "ticket:clock" keys whose `event` (breached, warned) was already recorded. */
export function recordedClockEvents(db: Db, event: "breached" | "warned"): Set<string> {
  const rows = db
    .prepare("SELECT ticket_id, json_extract(detail, '$.clock') FROM ticket_events WHERE event = ?")
    .raw()
    .all(event) as [number, string][];
  return new Set(rows.map(([id, clock]) => `${id}:${clock}`));
}
