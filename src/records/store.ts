/**
 * Maintenance records in the store (migration 30). A record's row holds where it stands (kind,
 * month, subject, state, current version); its content lives in `record_versions`, one immutable
 * row per version with the SHA-256 digest of what it says; `record_signatures` holds who signed
 * which version, in what role, when, over which digest (immutable too); `record_events` is the
 * audit trail. Triggers refuse any update or delete of versions and signatures.
 *
 * Called by the records engine only, synchronously, on the daemon's one store connection.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../report/freeze.ts";
import type { Db } from "../store/db.ts";
import type { RecordKind, Role } from "./kinds.ts";

export interface StoredRecord<B = unknown> {
  id: number;
  kind: RecordKind;
  period: string;
  subject: string | null;
  state: string;
  version: number;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  body: B;
  digest: string;
}

export interface RecordVersion {
  version: number;
  body: unknown;
  digest: string;
  at: number;
  actor: string;
  reason: string | null;
}

export interface Signature {
  id: number;
  recordId: number;
  version: number;
  action: string;
  signer: string;
  role: Role;
  at: number;
  digest: string;
  comment: string | null;
}

export interface RecordEvent {
  id: number;
  recordId: number;
  at: number;
  actor: string;
  event: string;
  fromState: string | null;
  toState: string | null;
  version: number;
  detail: Record<string, unknown> | null;
}

/** The digest a signature is over: kind, id, version and content, as canonical JSON. */
export function recordDigest(kind: RecordKind, id: number, version: number, body: unknown): string {
  return createHash("sha256").update(canonicalJson({ kind, id, version, body })).digest("hex");
}

const SELECT = `SELECT r.*, v.body_json, v.digest FROM records r
  JOIN record_versions v ON v.record_id = r.id AND v.version = r.version`;

function fromRow(r: Record<string, unknown>): StoredRecord {
  return {
    id: r.id as number,
    kind: r.kind as RecordKind,
    period: r.period as string,
    subject: (r.subject as string | null) ?? null,
    state: r.state as string,
    version: r.version as number,
    createdAt: r.created_at as number,
    createdBy: r.created_by as string,
    updatedAt: r.updated_at as number,
    body: JSON.parse(r.body_json as string),
    digest: r.digest as string,
  };
}

export function insertRecord(
  db: Db,
  r: { kind: RecordKind; period: string; subject: string | null; state: string; at: number; actor: string },
  body: unknown,
): StoredRecord {
  const id = Number(
    db
      .prepare(
        `INSERT INTO records (kind, period, subject, state, version, created_at, created_by, updated_at)
         VALUES (?, ?, ?, ?, 1, ?, ?, ?)`,
      )
      .run(r.kind, r.period, r.subject, r.state, r.at, r.actor, r.at).lastInsertRowid,
  );
  insertVersion(db, r.kind, id, 1, body, r.at, r.actor, null);
  return getRecord(db, id)!;
}

function insertVersion(
  db: Db,
  kind: RecordKind,
  id: number,
  version: number,
  body: unknown,
  at: number,
  actor: string,
  reason: string | null,
): void {
  db.prepare(
    "INSERT INTO record_versions (record_id, version, body_json, digest, at, actor, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).run(id, version, JSON.stringify(body), recordDigest(kind, id, version, body), at, actor, reason);
}

/** Writes the next version and makes it current, in `state`. */
export function addVersion(
  db: Db,
  rec: StoredRecord,
  body: unknown,
  v: {
    at: number;
    actor: string;
    reason: string | null;
    state: string;
    period: string;
    subject: string | null;
  },
): StoredRecord {
  const version = rec.version + 1;
  insertVersion(db, rec.kind, rec.id, version, body, v.at, v.actor, v.reason);
  db.prepare(
    "UPDATE records SET version = ?, state = ?, period = ?, subject = ?, updated_at = ? WHERE id = ?",
  ).run(version, v.state, v.period, v.subject, v.at, rec.id);
  return getRecord(db, rec.id)!;
}

export function setState(db: Db, id: number, state: string, at: number): StoredRecord {
  db.prepare("UPDATE records SET state = ?, updated_at = ? WHERE id = ?").run(state, at, id);
  return getRecord(db, id)!;
}

export function getRecord(db: Db, id: number): StoredRecord | undefined {
  const r = db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as Record<string, unknown> | undefined;
  return r ? fromRow(r) : undefined;
}

export interface RecordFilter {
  kind?: RecordKind;
  period?: string;
  subject?: string;
  state?: string;
}

export function listRecords(db: Db, f: RecordFilter = {}): StoredRecord[] {
  const where: string[] = [];
  const args: unknown[] = [];
  for (const k of ["kind", "period", "subject", "state"] as const)
    if (f[k] !== undefined) {
      where.push(`r.${k} = ?`);
      args.push(f[k]);
    }
  const sql = `${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY r.id`;
  return (db.prepare(sql).all(...args) as Record<string, unknown>[]).map(fromRow);
}

export function recordVersions(db: Db, id: number): RecordVersion[] {
  const rows = db.prepare("SELECT * FROM record_versions WHERE record_id = ? ORDER BY version").all(id) as {
    version: number;
    body_json: string;
    digest: string;
    at: number;
    actor: string;
    reason: string | null;
  }[];
  return rows.map((r) => ({
    version: r.version,
    body: JSON.parse(r.body_json),
    digest: r.digest,
    at: r.at,
    actor: r.actor,
    reason: r.reason,
  }));
}

export function addSignature(db: Db, s: Omit<Signature, "id">): Signature {
  const id = Number(
    db
      .prepare(
        `INSERT INTO record_signatures (record_id, version, action, signer, role, at, digest, comment)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.recordId, s.version, s.action, s.signer, s.role, s.at, s.digest, s.comment).lastInsertRowid,
  );
  return { ...s, id };
}

export function signatures(db: Db, id: number): Signature[] {
  return db
    .prepare(
      `SELECT id, record_id AS recordId, version, action, signer, role, at, digest, comment
       FROM record_signatures WHERE record_id = ? ORDER BY id`,
    )
    .all(id) as Signature[];
}

export function appendRecordEvent(db: Db, e: Omit<RecordEvent, "id">): void {
  db.prepare(
    `INSERT INTO record_events (record_id, at, actor, event, from_state, to_state, version, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    e.recordId,
    e.at,
    e.actor,
    e.event,
    e.fromState,
    e.toState,
    e.version,
    e.detail ? JSON.stringify(e.detail) : null,
  );
}

export function recordEvents(db: Db, id: number): RecordEvent[] {
  const rows = db.prepare("SELECT * FROM record_events WHERE record_id = ? ORDER BY id").all(id) as {
    id: number;
    record_id: number;
    at: number;
    actor: string;
    event: string;
    from_state: string | null;
    to_state: string | null;
    version: number;
    detail: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    recordId: r.record_id,
    at: r.at,
    actor: r.actor,
    event: r.event,
    fromState: r.from_state,
    toState: r.to_state,
    version: r.version,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  }));
}
