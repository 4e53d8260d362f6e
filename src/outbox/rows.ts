/**
 * The outbox's row format. An entry is the lines of one poll outcome (or one MQTT message) under a
 * key (the device). A lone entry is a plain row; a group commit packs several entries into one
 * row, their bodies joined by "\n" and indexed in `segments` (JSON [key, points, bytes, chars]
 * per entry), up to ROW_MAX_POINTS / ROW_MAX_BYTES a row. Pure functions, no I/O.
 */

/** A group commit's row holds at most this many points (lines, messages)... */
export const ROW_MAX_POINTS = 5000;
/** ...and this many bytes of bodies; an open batch that reaches either is committed at once. */
export const ROW_MAX_BYTES = 1024 * 1024;

/**
 * An entry's body: text, or its UTF-8 bytes (what the InfluxDB sink encodes straight into; held
 * in memory, bytes are not copied by the garbage collector the way a string is).
 */
export type Body = string | Uint8Array;

/** A body as text (committed rows and the rare paths that split or quarantine a body hold text). */
export function bodyText(body: Body): string {
  return typeof body === "string"
    ? body
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

/** An entry not yet committed. */
export interface NewEntry {
  key: string;
  createdAt: number;
  points: number;
  bytes: number;
  body: Body;
}

/** A committed entry, as the forwarder reads it (`id`: its row); committed bodies are text. */
export interface OutboxEntry extends NewEntry {
  id: number;
  body: string;
}

/** A row as peekRaw/getRaw read it: id, key, created_at, points, bytes, body, segments. */
export type RawRow = [number, string, number, number, number, string, string | null];

/** What one INSERT writes: key and created_at of its first entry, totals, body and segments. */
export interface PackedRow {
  key: string;
  createdAt: number;
  points: number;
  bytes: number;
  body: string;
  segments: string | null;
}

/** Packs entries, in order, into as few rows as ROW_MAX_POINTS / ROW_MAX_BYTES allow. */
export function packRows(entries: readonly NewEntry[]): PackedRow[] {
  const rows: PackedRow[] = [];
  for (let i = 0; i < entries.length; ) {
    let j = i;
    let points = 0;
    let bytes = 0;
    while (
      j < entries.length &&
      (j === i ||
        (points + entries[j]!.points <= ROW_MAX_POINTS && bytes + entries[j]!.bytes <= ROW_MAX_BYTES))
    ) {
      points += entries[j]!.points;
      bytes += entries[j]!.bytes;
      j++;
    }
    const first = entries[i]!;
    if (j === i + 1) rows.push({ ...first, body: bodyText(first.body), segments: null });
    else {
      const group = entries.slice(i, j).map((e) => ({ ...e, body: bodyText(e.body) }));
      rows.push({
        key: first.key,
        createdAt: first.createdAt,
        points,
        bytes,
        body: group.map((e) => e.body).join("\n"),
        segments: segmentsOf(group),
      });
    }
    i = j;
  }
  return rows;
}

/** The segments index of several entries sharing a row. */
export function segmentsOf(entries: readonly Pick<NewEntry, "key" | "points" | "bytes" | "body">[]): string {
  return JSON.stringify(entries.map((e) => [e.key, e.points, e.bytes, e.body.length]));
}

/** Appends the entries of a row to `out`: one for a plain row, one per segment for a group commit. */
export function expandRow(row: RawRow, out: OutboxEntry[]): void {
  const [id, key, createdAt, points, bytes, body, segments] = row;
  if (segments === null) {
    out.push({ id, key, createdAt, points, bytes, body });
    return;
  }
  let at = 0;
  for (const [k, p, b, chars] of JSON.parse(segments) as [string, number, number, number][]) {
    out.push({ id, key: k, createdAt, points: p, bytes: b, body: body.slice(at, at + chars) });
    at += chars + 1;
  }
}
