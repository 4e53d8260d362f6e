// Tickets as the page uses them: normalised from the API's answer (ms or ISO times, camelCase or
// snake_case keys), ordered worst first, and the actions a role may take in a state.
import { ms } from "./dom.js";

export const levels = ["major", "general", "consult"];
export const states = ["opened", "accepted", "onsite", "cleared", "closed"];
export const clockNames = ["respond", "onsite", "repair"];

const pick = (o, ...keys) => {
  for (const k of keys) if (o?.[k] !== undefined) return o[k];
  return null;
};

/** One clock {deadline, stoppedAt, total, warnAt} from the API's clock object (see src/tickets/deadlines.ts). */
function clockOf(raw, reportedAt) {
  if (!raw) return null;
  const deadline = ms(pick(raw, "deadline", "dueAt", "due_at"));
  if (deadline === null) return null;
  const startedAt = ms(pick(raw, "startedAt", "started_at")) ?? reportedAt;
  const total = startedAt !== null ? deadline - startedAt : null;
  return {
    deadline,
    stoppedAt: ms(pick(raw, "stoppedAt", "stopped_at", "metAt")),
    total,
    status: pick(raw, "status"),
  };
}

export function normTicket(raw) {
  const reportedAt = ms(pick(raw, "reportedAt", "reported_at"));
  const clocks = {};
  for (const c of clockNames) clocks[c] = clockOf(raw?.clocks?.[c], reportedAt);
  return {
    raw,
    id: raw.id,
    device: pick(raw, "device", "deviceId"),
    deviceName: pick(raw, "deviceName", "device_name"),
    site: pick(raw, "site"),
    siteName: pick(raw, "siteName", "site_name"),
    code: pick(raw, "code"),
    level: pick(raw, "level"),
    state: pick(raw, "state"),
    source: pick(raw, "source"),
    reportedAt,
    faultStart: ms(pick(raw, "faultStart", "fault_start")),
    acceptedAt: ms(pick(raw, "acceptedAt", "accepted_at")),
    arrivedAt: ms(pick(raw, "arrivedAt", "arrived_at")),
    clearedAt: ms(pick(raw, "clearedAt", "cleared_at")),
    repairedAt: ms(pick(raw, "repairedAt", "repaired_at")),
    restoredAt: ms(pick(raw, "restoredAt", "restored_at")),
    closedAt: ms(pick(raw, "closedAt", "closed_at")),
    repeatOf: pick(raw, "repeatOf", "repeat_of"),
    rejections: pick(raw, "rejections") ?? 0,
    flapping: Boolean(pick(raw, "flapping")),
    symptom: pick(raw, "symptom") ?? "",
    faultType: pick(raw, "faultType", "fault_type"),
    cause: pick(raw, "cause"),
    handling: pick(raw, "handling"),
    responsibility: pick(raw, "responsibility"),
    lessons: pick(raw, "lessons"),
    handler: pick(raw, "handler"),
    openedBy: pick(raw, "openedBy", "opened_by"),
    clocks,
  };
}

/** Remaining ms of the most urgent running clock (negative when breached), or +Infinity. */
export function urgency(ticket, now) {
  let worst = Number.POSITIVE_INFINITY;
  for (const c of clockNames) {
    const k = ticket.clocks[c];
    if (!k || k.stoppedAt !== null) continue;
    worst = Math.min(worst, k.deadline - now);
  }
  return worst;
}

/** Worst first: a breached running clock, then the fault level, then the least time left, then age. */
export function worstFirst(tickets, now) {
  const rank = (t) => {
    const u = urgency(t, now);
    return [u < 0 ? 0 : 1, Math.max(0, levels.indexOf(t.level)), u, t.reportedAt ?? 0];
  };
  return [...tickets].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] < rb[i] ? -1 : 1;
    return 0;
  });
}

/**
 * The actions a role sees on a ticket in a state. The server decides; the page only avoids
 * offering what would be refused. role null = signed in with a role the page does not know.
 */
export function actionsFor(ticket, role) {
  if (!role || role === "viewer") return [];
  const s = ticket.state;
  const out = [];
  if (role === "engineer") {
    if (s === "opened") out.push("accept", "arrive");
    if (s === "accepted") out.push("arrive", "clear");
    if (s === "onsite") out.push("clear");
  }
  if (role === "supervisor" && s === "cleared") out.push("verify", "reject");
  if (s !== "closed") out.push("comment", "edit");
  return out;
}

/** Class of a clock: ok, warn (less than `warnFraction` of its length left), breach, or done. */
export function clockClass(k, now, warnFraction = 0.25) {
  const left = k.deadline - (k.stoppedAt ?? now);
  if (left < 0) return "breach";
  if (k.stoppedAt !== null) return "done";
  if (k.total && left <= k.total * warnFraction) return "warn";
  return "ok";
}
