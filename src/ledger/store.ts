/**
 * The ledger's tables (migration 2): device state transitions (append-only), site deployment
 * declarations (append-only) and maintenance windows / drills. Everything here is synchronous
 * better-sqlite3, called from the health engine on each state change and from the API/CLI; the
 * availability computation (availability.ts) reads them back.
 */
import type { Db } from "../store/db.ts";

export const deviceStates = [
  "up",
  "degraded",
  "down",
  "impacted",
  "maintenance",
  "not-in-service",
  "unmonitored",
] as const;
export type DeviceState = (typeof deviceStates)[number];

/** One row of state_transitions: the device entered `state` at `at` (ms since epoch). */
export interface Transition {
  id: number;
  device: string;
  site: string;
  state: DeviceState;
  previous: DeviceState | null;
  at: number;
  recordedAt: number;
  code: string | null;
  cause: string;
  detail: Record<string, unknown> | null;
}

export type NewTransition = Omit<Transition, "id">;

export function appendTransition(db: Db, t: NewTransition): Transition {
  // run(), not INSERT … RETURNING read with get(): get() stops at the first row and can miss an
  // error raised when the statement completes (SQLITE_FULL at commit), leaving a row never stored.
  const { lastInsertRowid } = db
    .prepare(
      `INSERT INTO state_transitions (device, site, state, previous, at, recorded_at, code, cause, detail, third_party)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      t.device,
      t.site,
      t.state,
      t.previous,
      t.at,
      t.recordedAt,
      t.code,
      t.cause,
      t.detail ? JSON.stringify(t.detail) : null,
      t.detail?.thirdParty === true ? 1 : 0,
    );
  return { ...t, id: Number(lastInsertRowid) };
}

/** A state_transitions row as SQLite returns it: snake_case, detail as JSON text. */
type TransitionRow = Omit<Transition, "recordedAt" | "detail"> & {
  recorded_at: number;
  detail: string | null;
};

const fromRow = (r: TransitionRow): Transition => ({
  id: r.id,
  device: r.device,
  site: r.site,
  state: r.state,
  previous: r.previous,
  at: r.at,
  recordedAt: r.recorded_at,
  code: r.code,
  cause: r.cause,
  detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
});

/** The latest transition of every device that has one (restart: where each device was). */
export function latestTransitions(db: Db): Map<string, Transition> {
  const rows = db
    .prepare(
      `SELECT t.* FROM state_transitions t
       JOIN (SELECT device, MAX(id) AS id FROM state_transitions GROUP BY device) m ON m.id = t.id`,
    )
    .all() as TransitionRow[];
  return new Map(rows.map((r) => [r.device, fromRow(r)]));
}

/** Transitions with `at` in [from, to), ordered by device then time, for listings and tests. */
export function transitionsBetween(db: Db, from: number, to: number, device?: string): Transition[] {
  const rows = device
    ? db
        .prepare("SELECT * FROM state_transitions WHERE device = ? AND at >= ? AND at < ? ORDER BY at, id")
        .all(device, from, to)
    : db
        .prepare("SELECT * FROM state_transitions WHERE at >= ? AND at < ? ORDER BY device, at, id")
        .all(from, to);
  return (rows as TransitionRow[]).map(fromRow);
}

/** A device's timeline as availability reads it: parallel arrays in time order. */
export interface Timeline {
  at: number[];
  state: DeviceState[];
  thirdParty: boolean[];
}

/**
 * Compact read for availability: per device, the last state before `from` and every state change
 * in [from, to), as parallel arrays sorted by time (`at`, then id). Two statements for all the
 * devices, each device's rows found by the covering index (device, at, id, state, third_party):
 * one returns each device's state before `from`, the other each device's changes as strings
 * (group_concat: the times, the states, and the times of the third parties' changes, rare enough
 * that listing them costs less than a flag per change): no per-row objects, no JSON detail parsed.
 * Not one statement per device: with the statistics of ANALYZE (STAT4) SQLite plans such a
 * statement again for every device bound. The changes are concatenated in index order in
 * practice, which SQLite does not promise: a device whose times are not strictly increasing (equal
 * times, or another order) or not whole numbers is read again row by row in (at, id) order.
 */
export function timelines(
  db: Db,
  from: number,
  to: number,
  devices?: readonly string[],
): Map<string, Timeline> {
  const ids =
    devices ?? (db.prepare("SELECT DISTINCT device FROM state_transitions").pluck().all() as string[]);
  const list = JSON.stringify(ids);
  const before = db
    .prepare(
      `SELECT t.device, t.at, t.state, t.third_party FROM json_each(?) d
       JOIN state_transitions t ON t.id = (SELECT id FROM state_transitions
         WHERE device = d.value AND at < ? ORDER BY at DESC, id DESC LIMIT 1)`,
    )
    .raw()
    .all(list, from) as [string, number, DeviceState, number][];
  const within = db
    .prepare(
      `SELECT device, group_concat(at), group_concat(state), group_concat(at) FILTER (WHERE third_party = 1)
       FROM state_transitions WHERE device IN (SELECT value FROM json_each(?)) AND at >= ? AND at < ?
       GROUP BY device`,
    )
    .raw()
    .all(list, from, to) as [string, string, string, string | null][];
  const firsts = new Map(before.map((r) => [r[0], r]));
  const changes = new Map(within.map((r) => [r[0], r]));
  const out = new Map<string, Timeline>();
  for (const device of ids) {
    const first = firsts.get(device);
    const row = changes.get(device);
    if (!first && !row) continue;
    const t: Timeline = first
      ? { at: [first[1]], state: [first[2]], thirdParty: [first[3] === 1] }
      : { at: [], state: [], thirdParty: [] };
    if (row && !appendChanges(t, row[1], row[2], row[3])) {
      t.at.length = t.state.length = t.thirdParty.length = first ? 1 : 0;
      appendRows(t, db, device, from, to);
    }
    out.set(device, t);
  }
  return out;
}

/**
 * The states as the ledger names them: a timeline holds these seven strings, not one string per
 * change split from SQLite's text (a year of a fleet: 200,000 strings kept alive until integrated).
 */
const stateNamed = new Map<string, DeviceState>(deviceStates.map((s) => [s, s]));

/**
 * Appends one device's concatenated times, states and times of third-party changes (null for
 * none); false, with `t` partly filled, unless the times are whole numbers that increase strictly.
 */
function appendChanges(t: Timeline, ats: string, states: string, thirdPartyAts: string | null): boolean {
  const start = t.at.length;
  if (!appendTimes(ats, t.at)) return false;
  for (const state of states.split(",")) t.state.push(stateNamed.get(state) ?? (state as DeviceState));
  // The times increase strictly, so a time names one change.
  const thirdParty = thirdPartyAts === null ? null : new Set(thirdPartyAts.split(",").map(Number));
  for (let i = start; i < t.at.length; i++) t.thirdParty.push(thirdParty?.has(t.at[i]!) === true);
  return true;
}

/**
 * Reads "1767225600000,1767225660000,…" into `out` digit by digit, with no string or array in
 * between (a year of a fleet: 200,000 times); false at anything but digits and commas, at a number
 * of more than 15 digits (past exact doubles) and at one not above the one before it.
 */
function appendTimes(text: string, out: number[]): boolean {
  let n = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 44;
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      digits++;
    } else if (c === 44 && digits > 0 && digits <= 15 && !(out.length > 0 && n <= out[out.length - 1]!)) {
      out.push(n);
      n = 0;
      digits = 0;
    } else return false;
  }
  return true;
}

/** Appends one device's changes in [from, to) read row by row, in (at, id) order. */
function appendRows(t: Timeline, db: Db, device: string, from: number, to: number): void {
  const rows = db
    .prepare(
      "SELECT at, state, third_party FROM state_transitions WHERE device = ? AND at >= ? AND at < ? ORDER BY at, id",
    )
    .raw()
    .all(device, from, to) as [number, DeviceState, number][];
  for (const [at, state, thirdParty] of rows) {
    t.at.push(at);
    t.state.push(state);
    t.thirdParty.push(thirdParty === 1);
  }
}

/** First recorded state of each device (for the mid-period policy). */
export function firstSeen(db: Db): Map<string, number> {
  const rows = db.prepare("SELECT device, MIN(at) FROM state_transitions GROUP BY device").raw().all() as [
    string,
    number,
  ][];
  return new Map(rows);
}

// ── site deployments ────────────────────────────────────────────────────────

export interface Deployment {
  id: number;
  site: string;
  deployed: boolean;
  at: number;
  recordedAt: number;
  who: string;
  note: string | null;
}

export function declareDeployment(
  db: Db,
  d: { site: string; deployed: boolean; at: number; recordedAt: number; who: string; note?: string | null },
): Deployment {
  const { lastInsertRowid } = db
    .prepare(
      "INSERT INTO site_deployments (site, deployed, at, recorded_at, who, note) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .run(d.site, d.deployed ? 1 : 0, d.at, d.recordedAt, d.who, d.note ?? null);
  return {
    id: Number(lastInsertRowid),
    site: d.site,
    deployed: d.deployed,
    at: d.at,
    recordedAt: d.recordedAt,
    who: d.who,
    note: d.note ?? null,
  };
}

export function deployments(db: Db, site?: string): Deployment[] {
  const rows = (
    site
      ? db.prepare("SELECT * FROM site_deployments WHERE site = ? ORDER BY at, id").all(site)
      : db.prepare("SELECT * FROM site_deployments ORDER BY at, id").all()
  ) as {
    id: number;
    site: string;
    deployed: number;
    at: number;
    recorded_at: number;
    who: string;
    note: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    site: r.site,
    deployed: r.deployed === 1,
    at: r.at,
    recordedAt: r.recorded_at,
    who: r.who,
    note: r.note,
  }));
}

// ── maintenance windows and drills ─────────────────────────────────────────

export interface MaintenanceWindow {
  id: number;
  kind: "maintenance" | "drill";
  devices: string[];
  sites: string[];
  startsAt: number;
  endsAt: number;
  who: string;
  why: string;
  approvalRef: string | null;
  status: "requested" | "approved" | "cancelled";
  approvedBy: string | null;
  approvedAt: number | null;
  createdAt: number;
}

export function addWindow(
  db: Db,
  w: Omit<MaintenanceWindow, "id" | "approvedBy" | "approvedAt" | "status"> & {
    status?: MaintenanceWindow["status"];
    approvedBy?: string | null;
    approvedAt?: number | null;
  },
): MaintenanceWindow {
  if (!(w.endsAt > w.startsAt)) throw new RangeError("a window must end after it starts");
  const { lastInsertRowid } = db
    .prepare(
      `INSERT INTO maintenance_windows (kind, devices, sites, starts_at, ends_at, who, why, approval_ref, status,
         approved_by, approved_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      w.kind,
      JSON.stringify(w.devices),
      JSON.stringify(w.sites),
      w.startsAt,
      w.endsAt,
      w.who,
      w.why,
      w.approvalRef,
      w.status ?? "requested",
      w.approvedBy ?? null,
      w.approvedAt ?? null,
      w.createdAt,
    );
  return getWindow(db, Number(lastInsertRowid))!;
}

export function setWindowStatus(
  db: Db,
  id: number,
  status: "approved" | "cancelled",
  who: string,
  at: number,
  approvalRef?: string,
): MaintenanceWindow | undefined {
  if (status === "approved")
    db.prepare(
      "UPDATE maintenance_windows SET status = 'approved', approved_by = ?, approved_at = ?, approval_ref = COALESCE(?, approval_ref) WHERE id = ?",
    ).run(who, at, approvalRef ?? null, id);
  else db.prepare("UPDATE maintenance_windows SET status = 'cancelled' WHERE id = ?").run(id);
  return getWindow(db, id);
}

interface WindowRow {
  id: number;
  kind: "maintenance" | "drill";
  devices: string;
  sites: string;
  starts_at: number;
  ends_at: number;
  who: string;
  why: string;
  approval_ref: string | null;
  status: MaintenanceWindow["status"];
  approved_by: string | null;
  approved_at: number | null;
  created_at: number;
}

const windowFromRow = (r: WindowRow): MaintenanceWindow => ({
  id: r.id,
  kind: r.kind,
  devices: JSON.parse(r.devices) as string[],
  sites: JSON.parse(r.sites) as string[],
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  who: r.who,
  why: r.why,
  approvalRef: r.approval_ref,
  status: r.status,
  approvedBy: r.approved_by,
  approvedAt: r.approved_at,
  createdAt: r.created_at,
});

export function getWindow(db: Db, id: number): MaintenanceWindow | undefined {
  const r = db.prepare("SELECT * FROM maintenance_windows WHERE id = ?").get(id) as WindowRow | undefined;
  return r ? windowFromRow(r) : undefined;
}

/** Windows overlapping [from, to), any status unless `approvedOnly`. */
export function windowsBetween(db: Db, from: number, to: number, approvedOnly = false): MaintenanceWindow[] {
  const rows = db
    .prepare(
      `SELECT * FROM maintenance_windows WHERE starts_at < ? AND ends_at > ? ${approvedOnly ? "AND status = 'approved'" : ""} ORDER BY starts_at, id`,
    )
    .all(to, from) as WindowRow[];
  return rows.map(windowFromRow);
}

/** Whether an approved window covers the device (named, or its site named). */
export function windowCovers(w: MaintenanceWindow, device: string, site: string): boolean {
  return w.devices.includes(device) || w.sites.includes(site);
}

// ── daemon runs ────────────────────────────────────────────────────────────

/**
 * Intervals when no daemon was watching, from daemon_runs: before the first run and between runs.
 * A run ended at its clean stop, or else at its last sign of life: the later of its last
 * heartbeat and its last recorded state transition (a kill -9 leaves no stop time).
 */
export function unmonitoredGaps(db: Db): { from: number; to: number }[] {
  const runs = db
    .prepare("SELECT started_at, heartbeat_at, stopped_at FROM daemon_runs ORDER BY started_at, id")
    .raw()
    .all() as [number, number, number | null][];
  if (runs.length === 0) return [];
  const gaps: { from: number; to: number }[] = [{ from: Number.NEGATIVE_INFINITY, to: runs[0]![0] }];
  for (let i = 1; i < runs.length; i++) {
    const end = runEnd(db, runs[i - 1]!, runs[i]![0]);
    if (runs[i]![0] > end) gaps.push({ from: end, to: runs[i]![0] });
  }
  const last = runs[runs.length - 1]!;
  if (last[2] !== null) gaps.push({ from: last[2], to: Number.POSITIVE_INFINITY });
  return gaps;
}

/** End of a run that was followed by another starting at `nextStart`. */
export function runEnd(db: Db, run: [number, number, number | null], nextStart: number): number {
  if (run[2] !== null) return run[2];
  const row = db
    .prepare("SELECT MAX(recorded_at) FROM state_transitions WHERE recorded_at >= ? AND recorded_at < ?")
    .raw()
    .get(run[0], nextStart) as [number | null] | undefined;
  return Math.min(Math.max(run[1], row?.[0] ?? run[1]), nextStart);
}

// ── daemon runs: the ledger's record of when a daemon was watching ──
// The daemon records its start, a heartbeat every minute and its clean stop; unmonitoredGaps and
// runEnd above turn them into the time nobody watched. No other module reads or writes daemon_runs.

/** Records a daemon's start; returns the run's id. */
export function recordRunStart(db: Db, at: number, version: string, configDigest: string): number {
  // run(), not INSERT … RETURNING read with get(): on a full disk that returns a row never stored.
  const { lastInsertRowid } = db
    .prepare("INSERT INTO daemon_runs (started_at, heartbeat_at, version, config_digest) VALUES (?, ?, ?, ?)")
    .run(at, at, version, configDigest);
  return Number(lastInsertRowid);
}

/** The run's last sign of life. */
export function recordHeartbeat(db: Db, runId: number, at: number): void {
  db.prepare("UPDATE daemon_runs SET heartbeat_at = max(heartbeat_at, ?) WHERE id = ?").run(at, runId);
}

/** The run's clean stop. */
export function recordRunStop(db: Db, runId: number, at: number): void {
  db.prepare("UPDATE daemon_runs SET heartbeat_at = ?, stopped_at = ? WHERE id = ?").run(at, at, runId);
}

/** When the first daemon run started (the store's first evidence), or null for a store never run. */
export function firstRunAt(db: Db): number | null {
  return db.prepare("SELECT MIN(started_at) FROM daemon_runs").pluck().get() as number | null;
}

/** The end of the run before the current one (the daemon inserts its own row first), or null. */
export function previousRunEnd(db: Db): number | null {
  const rows = db
    .prepare("SELECT started_at, heartbeat_at, stopped_at FROM daemon_runs ORDER BY id DESC LIMIT 2")
    .raw()
    .all() as [number, number, number | null][];
  const [current, prev] = rows;
  return prev && current ? runEnd(db, prev, current[0]) : null;
}

// ── state transitions read by others ──

/** [device, at] of every `down` transition since `since` (the health engine's flapping memory at start). */
export function downTransitionsSince(db: Db, since: number): [string, number][] {
  return db
    .prepare("SELECT device, at FROM state_transitions WHERE state = 'down' AND at >= ?")
    .raw()
    .all(since) as [string, number][];
}

/** The id of the newest transition (0 for none): where a live feed starts. */
export function lastTransitionId(db: Db): number {
  return (db.prepare("SELECT COALESCE(MAX(id), 0) FROM state_transitions").pluck().get() as number) ?? 0;
}

/** A transition without its cause and detail: what the console's live feed shows. */
export type TransitionSummary = Pick<Transition, "id" | "device" | "site" | "state" | "previous" | "at">;

/** Transitions recorded after `afterId`, oldest first, at most `limit` (the console's live feed). */
export function transitionsAfter(db: Db, afterId: number, limit: number): TransitionSummary[] {
  return db
    .prepare(
      "SELECT id, device, site, state, previous, at FROM state_transitions WHERE id > ? ORDER BY id LIMIT ?",
    )
    .all(afterId, limit) as TransitionSummary[];
}

/**
 * A device's state intervals clipped to [from, to), with the causes the ledger recorded, in time
 * order, neighbours in the same state merged. Before its first recorded state a device is
 * `unmonitored` with the cause NEVER_SEEN.
 */
export function stateIntervals(
  db: Db,
  device: string,
  from: number,
  to: number,
): { start: number; end: number; state: DeviceState; cause: string }[] {
  const first = db
    .prepare(
      "SELECT state, cause FROM state_transitions WHERE device = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1",
    )
    .get(device, from) as { state: DeviceState; cause: string } | undefined;
  const changes = db
    .prepare(
      "SELECT state, cause, at FROM state_transitions WHERE device = ? AND at >= ? AND at < ? ORDER BY at, id",
    )
    .all(device, from, to) as { state: DeviceState; cause: string; at: number }[];
  const list: { start: number; end: number; state: DeviceState; cause: string }[] = [];
  let state: DeviceState = first?.state ?? "unmonitored";
  let cause = first?.cause ?? NEVER_SEEN;
  let at = from;
  for (const c of changes) {
    if (c.at > at) list.push({ start: at, end: c.at, state, cause });
    state = c.state;
    cause = c.cause;
    at = Math.max(at, c.at);
  }
  if (to > at) list.push({ start: at, end: to, state, cause });
  const merged: typeof list = [];
  for (const iv of list) {
    const last = merged[merged.length - 1];
    if (last && last.state === iv.state && last.end === iv.start) last.end = iv.end;
    else merged.push(iv);
  }
  return merged;
}

/** The cause of the state before a device's first recorded one. */
export const NEVER_SEEN = "no state recorded yet";
