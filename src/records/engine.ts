/**
 * The maintenance records' rules: creating a record (validated, with the month it counts in),
 * changing it (a new version, only while it is not signed), correcting a signed record (a new
 * version with a reason, back to be signed again), and the steps of kinds.ts (submit, approve,
 * return, sign, countersign, close…), each step a signature over the digest of the version signed.
 * Inspections also check in on site and raise hidden dangers (a rectification item, or a fault
 * ticket when something is broken); a call-back is also written as a step of its closed ticket.
 *
 * Called by the API routes and the CLI, one call at a time on the daemon's store connection; every
 * change is one transaction. Time comes from the injected clock.
 */
import type { Clock } from "../core/clock.ts";
import { zonedParts } from "../core/zoned-time.ts";
import { parsePeriod } from "../ledger/period.ts";
import { getWindow } from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import type { Actor, TicketEngine } from "../tickets/engine.ts";
import { appendEvent, getTicket } from "../tickets/store.ts";
import {
  type ActivityBody,
  bodySchemas,
  type CallbackBody,
  checklistIds,
  type InspectionBody,
  kindRules,
  type PlanBody,
  type RecordKind,
  type RectificationBody,
  type RegisterBody,
  type Role,
} from "./kinds.ts";
import {
  addSignature,
  addVersion,
  appendRecordEvent,
  getRecord,
  insertRecord,
  listRecords,
  type RecordFilter,
  recordEvents,
  recordVersions,
  type StoredRecord,
  setState,
  signatures,
} from "./store.ts";
import type { TelemetrySource } from "./telemetry.ts";

export class RecordError extends Error {
  override name = "RecordError";
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
  }
}

export interface RecordsEngineOptions {
  db: Db;
  clock: Clock;
  timezone: string;
  devices: readonly { id: string; site: string }[];
  telemetry?: TelemetrySource;
  /** Opens fault tickets for broken findings; without it a hidden danger is always a rectification item. */
  tickets?: TicketEngine;
}

export class RecordsEngine {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly devices: Set<string>;

  constructor(private readonly o: RecordsEngineOptions) {
    this.db = o.db;
    this.clock = o.clock;
    this.devices = new Set(o.devices.map((d) => d.id));
  }

  /** "YYYY-MM" of an instant in the contract's zone. */
  monthOf(ms: number): string {
    const { year, month } = zonedParts(ms, this.o.timezone);
    return `${year}-${String(month).padStart(2, "0")}`;
  }

  create(kind: RecordKind, raw: unknown, actor: Actor): StoredRecord {
    const rules = kindRules[kind];
    const role = this.role(actor, rules.create, `create ${kind} records`);
    const now = this.clock.now();
    let body = this.parse(kind, raw);
    if (kind === "inspection") body = this.prefillInspection(body as InspectionBody, now);
    if (kind === "joint-test" || kind === "drill" || kind === "support")
      body = this.prefillActivity(body as ActivityBody);
    this.check(kind, body);
    return this.db.transaction(() => {
      const rec = insertRecord(
        this.db,
        {
          kind,
          period: this.periodOf(kind, body, now),
          subject: subjectOf(kind, body),
          state: rules.initial,
          at: now,
          actor: actor.name,
        },
        body,
      );
      this.event(rec, actor, "created", null, rec.state, { version: 1 });
      if (rules.initial !== "draft" && rules.initial !== "open") this.sign(rec, actor, role, "sign", null);
      if (kind === "callback") this.callbackStep(rec, body as CallbackBody, actor);
      return getRecord(this.db, rec.id)!;
    })();
  }

  /** A change of content while the record is unsigned: a new version. Signed: 409, nothing changes. */
  edit(id: number, raw: unknown, actor: Actor): StoredRecord {
    const rec = this.get(id);
    const rules = kindRules[rec.kind];
    this.role(actor, rules.create, `change ${rec.kind} records`);
    if (!rules.editable.includes(rec.state))
      throw new RecordError(
        409,
        `${rec.kind} ${id} is ${rec.state}: signed records are not edited; correct it (a new version with a reason)`,
      );
    return this.newVersion(rec, raw, actor, null, rec.state === "returned" ? rules.editable[0]! : rec.state);
  }

  /** A correction of a signed record: a new version with a reason, to be signed again. */
  correct(id: number, raw: unknown, actor: Actor, reason: string | undefined): StoredRecord {
    const rec = this.get(id);
    const rules = kindRules[rec.kind];
    this.role(actor, rules.create, `correct ${rec.kind} records`);
    if (!reason?.trim()) throw new RecordError(400, "a correction needs a reason");
    if (rules.editable.includes(rec.state))
      throw new RecordError(409, `${rec.kind} ${id} is ${rec.state}, not signed: edit it instead`);
    const out = this.newVersion(rec, raw, actor, reason.trim(), rules.corrected);
    if (rules.corrected === "signed") {
      this.sign(out, actor, actor.role as Role, "sign", reason.trim());
      return getRecord(this.db, id)!;
    }
    return out;
  }

  /** One step of the kind's flow (submit, approve, return, sign, countersign, close, reopen). */
  act(id: number, step: string, actor: Actor, comment?: string): StoredRecord {
    const rec = this.get(id);
    const s = kindRules[rec.kind].steps[step];
    if (!s) throw new RecordError(404, `${rec.kind} records have no step ${step}`);
    const role = this.role(actor, s.roles, `${step} ${rec.kind} records`);
    if (!s.from.includes(rec.state))
      throw new RecordError(409, `cannot ${step} ${rec.kind} ${id}: it is ${rec.state}`);
    if (s.comment && !comment?.trim()) throw new RecordError(400, `${step} needs a comment saying why`);
    this.ready(rec, step);
    const now = this.clock.now();
    return this.db.transaction(() => {
      let cur = rec;
      if (rec.kind === "rectification" && step === "close") {
        const body = { ...(rec.body as RectificationBody), closure: { at: now, note: comment!.trim() } };
        cur = addVersion(this.db, rec, body, {
          at: now,
          actor: actor.name,
          reason: null,
          state: rec.state,
          period: rec.period,
          subject: rec.subject,
        });
      }
      if (s.sign) this.sign(cur, actor, role, step, comment?.trim() || null);
      const out = setState(this.db, id, s.to, now);
      this.event(out, actor, step, rec.state, s.to, comment ? { comment } : null);
      return out;
    })();
  }

  /** On-site check-in of an inspection, like a ticket's arrival (a new version holding it). */
  checkin(id: number, actor: Actor, position?: string): StoredRecord {
    const rec = this.get(id);
    if (rec.kind !== "inspection") throw new RecordError(404, `${rec.kind} ${id} is not an inspection`);
    const body = rec.body as InspectionBody;
    if (body.checkin) throw new RecordError(409, `inspection ${id} was checked in already`);
    return this.edit(
      id,
      { ...body, checkin: { at: this.clock.now(), ...(position ? { position } : {}) } },
      actor,
    );
  }

  /**
   * A hidden danger (隐患) found by an inspection: a rectification item tracked to closure, and a
   * fault ticket too when something is broken.
   */
  raiseHazard(
    inspectionId: number,
    h: {
      description: string;
      broken?: boolean;
      level?: "major" | "general" | "consult";
      plan?: string;
      due?: string;
    },
    actor: Actor,
  ): { rectification: StoredRecord; ticket: number | null } {
    const insp = this.get(inspectionId);
    if (insp.kind !== "inspection")
      throw new RecordError(404, `${insp.kind} ${inspectionId} is not an inspection`);
    const device = (insp.body as InspectionBody).device;
    const item = { inspection: inspectionId, device, description: h.description, plan: h.plan, due: h.due };
    // Checked before a ticket is opened, so a bad item opens nothing.
    this.role(actor, kindRules.rectification.create, "raise hidden dangers");
    this.check("rectification", this.parse("rectification", { ...item, ticket: null }));
    let ticket: number | null = null;
    if (h.broken) {
      if (!this.o.tickets) throw new RecordError(409, "no ticket system here to open a fault ticket");
      ticket = this.o.tickets.openManual(
        { device, level: h.level ?? "general", symptom: h.description, code: `inspection_${inspectionId}` },
        actor,
      ).id;
    }
    const rectification = this.create("rectification", { ...item, ticket }, actor);
    return { rectification, ticket };
  }

  list(f: RecordFilter = {}): StoredRecord[] {
    return listRecords(this.db, f);
  }

  view(id: number) {
    const rec = this.get(id);
    return {
      ...rec,
      versions: recordVersions(this.db, id),
      signatures: signatures(this.db, id),
      events: recordEvents(this.db, id),
    };
  }

  get(id: number): StoredRecord {
    const rec = Number.isInteger(id) ? getRecord(this.db, id) : undefined;
    if (!rec) throw new RecordError(404, `no record ${id}`);
    return rec;
  }

  // ── inside ──

  private newVersion(rec: StoredRecord, raw: unknown, actor: Actor, reason: string | null, state: string) {
    const body = this.parse(rec.kind, raw);
    this.check(rec.kind, body);
    if (rec.kind === "callback" && (body as CallbackBody).ticket !== (rec.body as CallbackBody).ticket)
      throw new RecordError(400, "a call-back stays with its ticket");
    const now = this.clock.now();
    return this.db.transaction(() => {
      const out = addVersion(this.db, rec, body, {
        at: now,
        actor: actor.name,
        reason,
        state,
        period:
          rec.kind === "inspection" || rec.kind === "rectification"
            ? rec.period
            : this.periodOf(rec.kind, body, now),
        subject: subjectOf(rec.kind, body),
      });
      this.event(out, actor, reason ? "corrected" : "revised", rec.state, state, reason ? { reason } : null);
      return out;
    })();
  }

  private sign(rec: StoredRecord, actor: Actor, role: Role, action: string, comment: string | null): void {
    addSignature(this.db, {
      recordId: rec.id,
      version: rec.version,
      action,
      signer: actor.name,
      role,
      at: this.clock.now(),
      digest: rec.digest,
      comment,
    });
  }

  private event(
    rec: StoredRecord,
    actor: Actor,
    event: string,
    from: string | null,
    to: string | null,
    detail: Record<string, unknown> | null,
  ): void {
    appendRecordEvent(this.db, {
      recordId: rec.id,
      at: this.clock.now(),
      actor: actor.name,
      event,
      fromState: from,
      toState: to,
      version: rec.version,
      detail,
    });
  }

  private role(actor: Actor, allowed: readonly Role[], what: string): Role {
    if (actor.role === "viewer" || !allowed.includes(actor.role))
      throw new RecordError(403, `role ${actor.role} cannot ${what} (needs ${allowed.join(" or ")})`);
    return actor.role;
  }

  private parse(kind: RecordKind, raw: unknown): unknown {
    const r = bodySchemas[kind].safeParse(raw);
    if (!r.success)
      throw new RecordError(
        400,
        `invalid ${kind} record`,
        r.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`),
      );
    return r.data;
  }

  /** Cross-checks against the inventory, the tickets and the windows. */
  private check(kind: RecordKind, body: unknown): void {
    const device = (id: string, where: string) => {
      if (!this.devices.has(id)) throw new RecordError(400, `${where}: no device ${id} in the inventory`);
    };
    if (kind === "plan")
      for (const [i, v] of (body as PlanBody).visits.entries()) device(v.device, `visits.${i}.device`);
    if (kind === "inspection" || kind === "rectification") device((body as InspectionBody).device, "device");
    if (kind === "rectification") {
      const insp = getRecord(this.db, (body as RectificationBody).inspection);
      if (insp?.kind !== "inspection") throw new RecordError(400, "inspection: no such inspection record");
    }
    if (kind === "joint-test" || kind === "drill" || kind === "support") {
      const a = body as ActivityBody;
      if (!(a.endsAt > a.startsAt)) throw new RecordError(400, "endsAt: must be after startsAt");
      if (kind === "drill") {
        const w = a.window === undefined ? undefined : getWindow(this.db, a.window);
        if (w?.kind !== "drill" || w.status !== "approved")
          throw new RecordError(
            400,
            "window: a drill is recorded on its approved `drill` maintenance window",
          );
      }
    }
    if (kind === "callback") {
      const t = getTicket(this.db, (body as CallbackBody).ticket);
      if (!t) throw new RecordError(400, `ticket: no ticket ${(body as CallbackBody).ticket}`);
      if (t.state !== "closed")
        throw new RecordError(409, `ticket ${t.id} is ${t.state}: call back after it is closed`);
    }
  }

  /** What a step needs before it may be taken. */
  private ready(rec: StoredRecord, step: string): void {
    if (rec.kind === "inspection" && step === "sign") {
      const b = rec.body as InspectionBody;
      const missing = checklistIds.filter((i) => !b.items[i]);
      if (missing.length)
        throw new RecordError(409, `inspection ${rec.id}: checklist items not filled: ${missing.join(", ")}`);
      if (!b.checkin) throw new RecordError(409, `inspection ${rec.id}: not checked in on site`);
      if (!b.readingsConfirmed) throw new RecordError(409, `inspection ${rec.id}: readings not confirmed`);
    }
    if ((rec.kind === "joint-test" || rec.kind === "drill" || rec.kind === "support") && step === "sign") {
      if ((rec.body as ActivityBody).outcome === null)
        throw new RecordError(409, `${rec.kind} ${rec.id}: the outcome (done or failed) is not recorded`);
    }
  }

  private prefillInspection(b: InspectionBody, now: number): InspectionBody {
    if (b.readings.length > 0 || !this.o.telemetry) return b;
    const { start } = parsePeriod(this.monthOf(now), this.o.timezone);
    return { ...b, readings: this.o.telemetry.readings(b.device, { start, end: now }) };
  }

  private prefillActivity(a: ActivityBody): ActivityBody {
    if (a.readings.length > 0 || !this.o.telemetry) return a;
    const readings = a.systems
      .filter((s) => this.devices.has(s))
      .flatMap((d) =>
        this.o.telemetry!.readings(d, { start: a.startsAt, end: a.endsAt }).map((r) => ({
          ...r,
          labels: { ...r.labels, device: d },
        })),
      );
    return { ...a, readings };
  }

  private callbackStep(rec: StoredRecord, b: CallbackBody, actor: Actor): void {
    appendEvent(this.db, {
      ticketId: b.ticket,
      at: this.clock.now(),
      actor: actor.name,
      event: "callback",
      fromState: "closed",
      toState: "closed",
      detail: {
        record: rec.id,
        satisfied: b.satisfied,
        contact: b.contact,
        calledAt: b.calledAt,
        note: b.note ?? null,
      },
    });
  }

  private periodOf(kind: RecordKind, body: unknown, now: number): string {
    switch (kind) {
      case "plan":
        return (body as PlanBody).month;
      case "joint-test":
      case "drill":
      case "support":
        return this.monthOf((body as ActivityBody).startsAt);
      case "callback":
        return this.monthOf((body as CallbackBody).calledAt);
      case "register":
        return this.monthOf((body as RegisterBody).at);
      default:
        return this.monthOf(now);
    }
  }
}

function subjectOf(kind: RecordKind, body: unknown): string | null {
  switch (kind) {
    case "inspection":
    case "rectification":
      return (body as InspectionBody).device;
    case "callback":
      return String((body as CallbackBody).ticket);
    case "register":
      return (body as RegisterBody).entry;
    default:
      return null;
  }
}
