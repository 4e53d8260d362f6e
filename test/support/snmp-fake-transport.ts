/**
 * A replaying SnmpTransport for unit tests: answers GET/GETNEXT/GETBULK from a fixed OID → varbind
 * table with the protocol's semantics and records every request (the wire plan) for assertions.
 * `failBulk` makes GETBULK answer an error-status, `tooBigAbove` answers tooBig when a GETBULK would
 * carry more varbinds than that.
 */

import { compareOids } from "../../drivers/snmp/codec.ts";
import type { BulkResult, SnmpTransport, VarBind } from "../../drivers/snmp/transport.ts";
import { PollError } from "../../src/core/errors.ts";

export interface Recorded {
  op: "get" | "getNext" | "getBulk";
  oids: string[];
  nonRepeaters?: number;
  maxRepetitions?: number;
}

const statusError = (status: number, op: string) =>
  new PollError("device", `fake ${op}: error-status ${status}`, {
    cause: Object.assign(new Error("failed"), { name: "RequestFailedError", status }),
  });

export class FakeTransport implements SnmpTransport {
  readonly requests: Recorded[] = [];
  private sorted: string[] = [];
  failBulk?: number;
  tooBigAbove?: number;
  /** Answer at most this many varbinds per GETBULK, like an agent fitting its datagram. */
  truncateAt?: number;
  v1 = false;

  constructor(private table: Map<string, VarBind>) {
    this.set(table);
  }

  set(table: Map<string, VarBind>): void {
    this.table = table;
    this.sorted = [...table.keys()].sort(compareOids);
  }

  private next(oid: string): VarBind {
    const found = this.sorted.find((o) => compareOids(o, oid) > 0);
    return found ? this.table.get(found)! : { oid, type: 130, value: null };
  }

  async get(oids: string[]): Promise<VarBind[]> {
    this.requests.push({ op: "get", oids });
    if (this.v1 && oids.some((o) => !this.table.has(o))) throw statusError(2, "get");
    return oids.map((oid) => this.table.get(oid) ?? { oid, type: 128, value: null });
  }

  async getNext(oids: string[]): Promise<VarBind[]> {
    this.requests.push({ op: "getNext", oids });
    const vbs = oids.map((o) => this.next(o));
    if (this.v1 && vbs.some((vb) => vb.type === 130)) throw statusError(2, "getNext");
    return vbs;
  }

  async getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number): Promise<BulkResult> {
    this.requests.push({ op: "getBulk", oids, nonRepeaters, maxRepetitions });
    if (this.failBulk !== undefined) throw statusError(this.failBulk, "getBulk");
    if (
      this.tooBigAbove !== undefined &&
      nonRepeaters + (oids.length - nonRepeaters) * maxRepetitions > this.tooBigAbove
    )
      throw statusError(1, "getBulk");
    const columns = oids.slice(nonRepeaters).map((start) => {
      const out: VarBind[] = [];
      let cursor = start;
      for (let i = 0; i < maxRepetitions; i++) {
        const vb = this.next(cursor);
        out.push(vb);
        if (vb.type === 130) break;
        cursor = vb.oid;
      }
      return out;
    });
    const nonRep = oids.slice(0, nonRepeaters).map((o) => this.next(o));
    if (this.truncateAt !== undefined) {
      // Keep the wire order (row by row across columns) up to the limit, as an agent would.
      let budget = this.truncateAt - nonRep.length;
      const kept: VarBind[][] = columns.map(() => []);
      for (let r = 0; budget > 0 && r < maxRepetitions; r++)
        for (let c = 0; c < columns.length && budget > 0; c++) {
          const vb = columns[c]![r];
          if (vb) {
            kept[c]!.push(vb);
            budget--;
          }
        }
      return { nonRepeaters: nonRep, columns: kept };
    }
    return { nonRepeaters: nonRep, columns };
  }

  close(): void {}
}

/** Builds a table from [oid, type, value] triples. */
export function mib(entries: [string, number, unknown][]): Map<string, VarBind> {
  return new Map(entries.map(([oid, type, value]) => [oid, { oid, type, value }]));
}
