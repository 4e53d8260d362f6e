/**
 * Reads a profile's objects from one agent in as few PDUs as it accepts. Called once per poll by
 * the driver, never twice at once for one device (the scheduler guarantees it).
 *
 * Wire plan (v2c/v3): ONE GETBULK carries every scalar as a non-repeater (asked as the OID just
 * before it, so GETNEXT lands on it) and every table column as a repeater, with max-repetitions =
 * the rows learned on the previous poll + 1, so a steady device costs one request. Columns still
 * inside their table after that are continued with further GETBULKs; scalars that did not land
 * exactly are re-read with one GET (which also says noSuchObject/noSuchInstance). tooBig halves
 * max-repetitions; an agent that rejects GETBULK (error-status) is read with GET + GETNEXT from
 * then on, as SNMPv1 agents always are.
 */
import { PollError } from "../../src/core/errors.ts";
import { exceptionTypes, isExceptionType, oidUnder } from "./codec.ts";
import {
  type BulkResult,
  errorStatus,
  NO_SUCH_NAME,
  type SnmpTransport,
  TOO_BIG,
  type VarBind,
} from "./transport.ts";

export interface WirePlan {
  /** Instance OIDs of scalars. */
  scalars: readonly string[];
  /** Column OIDs of tables. */
  columns: readonly string[];
}

export interface Collected {
  scalars: Map<string, VarBind>;
  /** Scalar OID → why it is absent ("noSuchObject", "noSuchInstance", "endOfMibView", "noSuchName"). */
  missing: Map<string, string>;
  /** Column OID → index suffix ("3", "1.2") → varbind. */
  columns: Map<string, Map<string, VarBind>>;
  pdus: number;
}

/** What the walker learns about a device across polls. */
export interface WalkMemory {
  bulk: boolean;
  /** Largest table seen, in rows. */
  rows?: number;
}

export interface WalkOptions {
  version: "1" | "2c" | "3";
  maxRepetitions: number;
  /** Cap on repetitions × columns in one GETBULK, so answers stay in one UDP datagram. */
  maxVarbinds?: number;
}

const MAX_PDUS = 500;
/** error-status authorizationError(16): a credentials problem, not a GETBULK one. */
const AUTHORIZATION_ERROR = 16;

export async function collect(
  t: SnmpTransport,
  plan: WirePlan,
  options: WalkOptions,
  memory: WalkMemory,
  signal?: AbortSignal,
): Promise<Collected> {
  const out: Collected = { scalars: new Map(), missing: new Map(), columns: new Map(), pdus: 0 };
  for (const c of plan.columns) out.columns.set(c, new Map());
  if (options.version !== "1" && memory.bulk) {
    try {
      await bulkCollect(t, plan, options, memory, out, signal);
      return out;
    } catch (err) {
      const status = errorStatus(err);
      // An error-status answer to GETBULK (genErr, noSuchName from a v1-minded agent): stop using it.
      if (status === undefined || status === TOO_BIG || status === AUTHORIZATION_ERROR) throw err;
      memory.bulk = false;
      out.scalars.clear();
      out.missing.clear();
      for (const c of plan.columns) out.columns.set(c, new Map());
    }
  }
  await getCollect(t, plan, options, out, signal);
  return out;
}

/** Throws before a request when the poll's deadline passed or the walk does not end. */
function checkAbort(out: Collected, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PollError("timeout", "snmp poll deadline passed", { cause: signal.reason });
  if (out.pdus > MAX_PDUS)
    throw new PollError("protocol", `snmp walk did not end after ${MAX_PDUS} requests`);
}

/** The OID just before `oid` for GETNEXT purposes: X for X.0, X.(n-1) for X.n. */
export function predecessor(oid: string): string {
  const parts = oid.split(".");
  const last = Number(parts.pop());
  return last === 0 ? parts.join(".") : [...parts, String(last - 1)].join(".");
}

function isException(vb: VarBind | undefined): boolean {
  return !vb || isExceptionType(vb.type);
}

async function bulkCollect(
  t: SnmpTransport,
  plan: WirePlan,
  options: WalkOptions,
  memory: WalkMemory,
  out: Collected,
  signal: AbortSignal | undefined,
): Promise<void> {
  const cap = Math.max(1, Math.floor((options.maxVarbinds ?? 250) / Math.max(1, plan.columns.length)));
  const reps = { n: Math.min(cap, memory.rows !== undefined ? memory.rows + 1 : options.maxRepetitions) };
  const first = await bulkRequest(t, firstRequest(plan), plan.scalars.length, reps, out, signal);
  const needGet: string[] = [];
  for (let i = 0; i < plan.scalars.length; i++) {
    const oid = plan.scalars[i]!;
    const vb = first.nonRepeaters[i];
    if (vb && vb.oid === oid && !isException(vb)) out.scalars.set(oid, vb);
    else needGet.push(oid);
  }
  let pending = takeColumns(plan.columns, first.columns, out);
  while (pending.length > 0) {
    const next = await bulkRequest(
      t,
      pending.map((p) => p.from),
      0,
      reps,
      out,
      signal,
    );
    pending = takeColumns(
      pending.map((p) => p.column),
      next.columns,
      out,
      pending.map((p) => p.from),
    );
  }
  if (needGet.length > 0) {
    checkAbort(out, signal);
    out.pdus++;
    const vbs = await t.get(needGet);
    needGet.forEach((oid, i) => {
      const vb = vbs[i];
      if (vb && !isException(vb) && vb.oid === oid) out.scalars.set(oid, vb);
      else out.missing.set(oid, vb ? (exceptionTypes[vb.type] ?? "wrong OID in answer") : "no varbind");
    });
  }
  let rows = 0;
  for (const column of out.columns.values()) rows = Math.max(rows, column.size);
  memory.rows = rows;
}

/** One GETBULK, sent again with half the repetitions (kept for the rest of the poll) while the agent says tooBig. */
async function bulkRequest(
  t: SnmpTransport,
  oids: string[],
  nonRepeaters: number,
  reps: { n: number },
  out: Collected,
  signal: AbortSignal | undefined,
): Promise<BulkResult> {
  for (;;) {
    checkAbort(out, signal);
    out.pdus++;
    try {
      return await t.getBulk(oids, nonRepeaters, oids.length > nonRepeaters ? reps.n : 0);
    } catch (err) {
      if (errorStatus(err) === TOO_BIG && reps.n > 1) {
        reps.n = Math.ceil(reps.n / 2);
        continue;
      }
      throw err;
    }
  }
}

/** The OIDs of a plan's first GETBULK (scalars by their predecessors, then columns), built once per plan. */
const firstRequests = new WeakMap<WirePlan, readonly string[]>();
function firstRequest(plan: WirePlan): string[] {
  let oids = firstRequests.get(plan);
  if (!oids) {
    oids = [...plan.scalars.map(predecessor), ...plan.columns];
    firstRequests.set(plan, oids);
  }
  return [...oids];
}

/** Files the varbinds of each column; returns the columns that may continue past this answer. */
function takeColumns(
  columns: readonly string[],
  answers: VarBind[][],
  out: Collected,
  froms?: readonly string[],
): readonly { column: string; from: string }[] {
  let pending: { column: string; from: string }[] | undefined;
  // Only an OID past the column ends it: agents may truncate a GETBULK answer to fit a datagram,
  // leaving later columns short or empty. An answer with no varbind at all ends every column.
  let anything = false;
  for (const a of answers) if (a.length > 0) anything = true;
  // Loops, not forEach: no closure per poll, and no pending list when every column ended.
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const rows = out.columns.get(column)!;
    const vbs = answers[i] ?? [];
    let last = froms?.[i];
    let ended = !anything;
    for (const vb of vbs) {
      if (isException(vb) || !oidUnder(vb.oid, column) || vb.oid === column) {
        ended = true;
        break;
      }
      if (last !== undefined && vb.oid === last)
        throw new PollError("protocol", `agent repeated ${vb.oid} in a walk`);
      rows.set(vb.oid.slice(column.length + 1), vb);
      last = vb.oid;
    }
    if (ended) continue;
    pending ??= [];
    pending.push({ column, from: last ?? column });
  }
  return pending ?? NONE_PENDING;
}

const NONE_PENDING: readonly { column: string; from: string }[] = [];

async function getCollect(
  t: SnmpTransport,
  plan: WirePlan,
  options: WalkOptions,
  out: Collected,
  signal: AbortSignal | undefined,
): Promise<void> {
  const get = async (oids: string[]) => {
    checkAbort(out, signal);
    out.pdus++;
    return t.get(oids);
  };
  if (plan.scalars.length > 0) {
    let vbs: VarBind[] | undefined;
    try {
      vbs = await get([...plan.scalars]);
    } catch (err) {
      // SNMPv1 fails the whole PDU with noSuchName when one object is missing: ask one by one.
      if (errorStatus(err) !== NO_SUCH_NAME) throw err;
    }
    if (vbs) {
      plan.scalars.forEach((oid, i) => {
        const vb = vbs[i];
        if (vb && !isException(vb)) out.scalars.set(oid, vb);
        else out.missing.set(oid, vb ? (exceptionTypes[vb.type] ?? "?") : "no varbind");
      });
    } else
      for (const oid of plan.scalars) {
        try {
          const [vb] = await get([oid]);
          if (vb && !isException(vb)) out.scalars.set(oid, vb);
          else out.missing.set(oid, vb ? (exceptionTypes[vb.type] ?? "?") : "no varbind");
        } catch (err) {
          if (errorStatus(err) !== NO_SUCH_NAME) throw err;
          out.missing.set(oid, "noSuchName");
        }
      }
  }
  let active = plan.columns.map((column) => ({ column, from: column }));
  while (active.length > 0) {
    checkAbort(out, signal);
    out.pdus++;
    let vbs: VarBind[];
    try {
      vbs = await t.getNext(active.map((a) => a.from));
    } catch (err) {
      if (errorStatus(err) !== NO_SUCH_NAME || options.version !== "1") throw err;
      // v1 end of MIB view in one column fails the PDU: continue column by column.
      if (active.length === 1) break;
      const singles: typeof active = [];
      for (const a of active) singles.push(a);
      active = [];
      for (const a of singles) await walkOne(t, a.column, a.from, out, signal);
      break;
    }
    const next: typeof active = [];
    active.forEach((a, i) => {
      const vb = vbs[i];
      if (!vb || isException(vb) || !oidUnder(vb.oid, a.column) || vb.oid === a.column) return;
      if (vb.oid === a.from) throw new PollError("protocol", `agent repeated ${vb.oid} in a walk`);
      out.columns.get(a.column)!.set(vb.oid.slice(a.column.length + 1), vb);
      next.push({ column: a.column, from: vb.oid });
    });
    active = next;
  }
}

async function walkOne(
  t: SnmpTransport,
  column: string,
  from: string,
  out: Collected,
  signal: AbortSignal | undefined,
) {
  for (let cursor = from; ; ) {
    checkAbort(out, signal);
    out.pdus++;
    let vb: VarBind | undefined;
    try {
      [vb] = await t.getNext([cursor]);
    } catch (err) {
      if (errorStatus(err) === NO_SUCH_NAME) return;
      throw err;
    }
    if (!vb || isException(vb) || !oidUnder(vb.oid, column) || vb.oid === cursor) return;
    out.columns.get(column)!.set(vb.oid.slice(column.length + 1), vb);
    cursor = vb.oid;
  }
}
