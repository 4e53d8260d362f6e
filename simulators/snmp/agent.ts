/**
 * One simulated device = one net-snmp Agent on an internal loopback port, serving a Snapshot (the
 * device's objects at this instant). The first sync registers a provider per scalar and table; later
 * syncs change values and add or remove rows. Syncs happen between requests (a timer and fault
 * changes), never inside one: net-snmp resolves a request's nodes before running handlers.
 */
import snmp, { type Agent } from "net-snmp";
import { boundDgram } from "../../drivers/snmp/loopback.ts";

export const T = { int: 2, str: 4, oid: 6, counter: 65, gauge: 66, ticks: 67, c64: 70 } as const;

export interface SimScalar {
  /** Instance OID ending in .0. */
  oid: string;
  type: number;
  value: unknown;
}

export interface SimTable {
  /** Entry OID (table OID + .1): columns are entry.<n>, instances entry.<n>.<index…>. */
  entry: string;
  /** Column number → ObjectType. */
  columns: Readonly<Record<number, number>>;
  rows: { index: number[]; values: Readonly<Record<number, unknown>> }[];
}

export interface Snapshot {
  scalars: SimScalar[];
  tables: SimTable[];
}

export const SIM_V3 = { user: "emcomm-sim", authKey: "emcomm-sim-auth", privKey: "emcomm-sim-priv" } as const;

/** SIM_V3 as a net-snmp user (authPriv, SHA and AES): what the agents accept and sign traps with. */
export const SIM_V3_USER = {
  name: SIM_V3.user,
  level: snmp.SecurityLevel.authPriv,
  authProtocol: snmp.AuthProtocols.sha,
  authKey: SIM_V3.authKey,
  privProtocol: snmp.PrivProtocols.aes,
  privKey: SIM_V3.privKey,
};

/** A Counter64 value as net-snmp's agent wants it: 8 bytes big-endian. */
export function c64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(n))));
  return b;
}

const INDEX_BASE = 900;

export interface SimAgent {
  port: number;
  sync(s: Snapshot): void;
  close(): Promise<void>;
}

/** Starts an agent on an ephemeral loopback port (net-snmp would take port 0 to mean 161/162). */
export async function startAgent(community: string): Promise<SimAgent> {
  const { dgramModule, listening } = boundDgram(0, "127.0.0.1");
  // Per-request problems (bad community, undecodable packet) are the client's: the agent drops them.
  const a: Agent = snmp.createAgent(
    { port: 1, address: "127.0.0.1", transport: "udp4", dgramModule },
    () => {},
  );
  const port = await listening;
  a.getAuthorizer().addCommunity(community);
  a.getAuthorizer().addUser(SIM_V3_USER);
  const mib = a.getMib();
  const readOnly = snmp.MaxAccess["read-only"]!;
  // A simulator bug must never take the process down: a request that fails inside net-snmp is
  // left unanswered (the client times out) instead of throwing out of the socket's listener.
  const handler = (req: { done(): void }) => {
    try {
      req.done();
    } catch {}
  };
  const scalarsKnown = new Set<string>();
  /** Table entry → its column numbers and the row keys currently in the MIB. */
  const tablesKnown = new Map<string, { cols: number[]; rows: Map<string, number[]> }>();

  const forget = (entry: string) => {
    mib.unregisterProvider(entry);
    tablesKnown.delete(entry);
  };

  const registerTable = (t: SimTable) => {
    const cols = Object.keys(t.columns).map(Number);
    const arity = t.rows[0]?.index.length ?? 1;
    const idx = Array.from({ length: arity }, (_, i) => ({
      number: INDEX_BASE + i,
      name: `index${i}`,
      type: T.int,
      maxAccess: snmp.MaxAccess["not-accessible"]!,
    }));
    mib.registerProvider({
      name: t.entry,
      type: snmp.MibProviderType.Table,
      oid: t.entry,
      maxAccess: snmp.MaxAccess["not-accessible"]!,
      tableColumns: [
        ...cols.map((n) => ({ number: n, name: `c${n}`, type: t.columns[n]!, maxAccess: readOnly })),
        ...idx,
      ],
      tableIndex: idx.map((c) => ({ columnName: c.name })),
      handler,
    });
    const known = { cols, rows: new Map<string, number[]>() };
    tablesKnown.set(t.entry, known);
    return known;
  };

  return {
    port,
    /** Applies a snapshot: new objects are registered, rows added or deleted, values set. */
    sync(s) {
      for (const sc of s.scalars) {
        const oid = sc.oid.replace(/\.0$/, "");
        if (!scalarsKnown.has(oid)) {
          scalarsKnown.add(oid);
          mib.registerProvider({
            name: oid,
            type: snmp.MibProviderType.Scalar,
            oid,
            scalarType: sc.type,
            maxAccess: readOnly,
            handler,
          });
        }
        mib.setScalarValue(oid, sc.value);
      }
      const seen = new Set<string>();
      for (const t of s.tables) {
        seen.add(t.entry);
        const known = tablesKnown.get(t.entry) ?? (t.rows.length > 0 ? registerTable(t) : undefined);
        if (!known) continue;
        const keys = new Set<string>();
        for (const row of t.rows) {
          const key = row.index.join(".");
          keys.add(key);
          if (!known.rows.has(key)) {
            mib.addTableRow(t.entry, [...known.cols.map((n) => row.values[n]), ...row.index]);
            known.rows.set(key, row.index);
          } else
            for (const [n, v] of Object.entries(row.values))
              mib.setTableSingleCell(t.entry, Number(n), row.index, v);
        }
        // net-snmp (3.29) leaves a stale node behind when a table's last row goes: drop the whole
        // provider instead, and register it again when rows come back.
        if (keys.size === 0) forget(t.entry);
        else
          for (const [key, index] of known.rows)
            if (!keys.has(key)) {
              mib.deleteTableRow(t.entry, index);
              known.rows.delete(key);
            }
      }
      for (const entry of [...tablesKnown.keys()]) if (!seen.has(entry)) forget(entry);
    },
    close: () => new Promise<void>((resolve) => a.close(() => resolve())),
  };
}
