/**
 * SNMP trap/inform receiver (v1, v2c, v3). Maps each notification to the device it came from and
 * asks for an immediate re-poll, so a linkDown or an UPS on-battery is seen in seconds, not at the
 * next poll. Source → device: exact address:port of an SNMP device first (simulated devices send
 * from their own port), else every SNMP device at that address. Accepted credentials are the
 * inventory's own (each SNMP device's community and v3 user) plus `extraCommunities`.
 *
 * Never fatal: unknown sources, undecodable datagrams and bad credentials are counted in
 * emcomm_snmp_trap_discards_total{reason} and logged at debug; nothing thrown reaches the socket.
 */
import snmp, { type Notification, type Receiver, type User } from "net-snmp";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { boundDgram } from "./loopback.ts";
import type { SnmpOptions } from "./options.ts";

export interface TrapDevice {
  id: string;
  host: string;
  port: number;
  community?: string;
  v3?: User;
}

export interface TrapReceiverOptions {
  host: string;
  port: number;
  devices: readonly TrapDevice[];
  extraCommunities?: readonly string[];
  log: Logger;
  registry?: Registry;
  /** Called for every notification from a known device (already mapped). Must not throw. */
  onTrap(deviceId: string, trap: { oid: string; kind: TrapKind }): void;
}

export interface TrapReceiver {
  port: number;
  stop(): Promise<void>;
}

export const trapKinds = ["coldStart", "warmStart", "linkDown", "linkUp", "ups", "other"] as const;
export type TrapKind = (typeof trapKinds)[number];

const SNMP_TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0";
const STANDARD = "1.3.6.1.6.3.1.1.5";
const GENERIC = ["coldStart", "warmStart", "linkDown", "linkUp"] as const;

/** The notification's OID: snmpTrapOID.0 (v2c/v3), or built from a v1 trap's generic/specific. */
export function trapOid(pdu: Notification["pdu"]): string | undefined {
  const vb = pdu.varbinds?.find((v) => v.oid === SNMP_TRAP_OID);
  if (vb) return String(vb.value);
  if (pdu.generic !== undefined) {
    if (pdu.generic < 6) return `${STANDARD}.${pdu.generic + 1}`;
    return `${pdu.enterprise}.0.${pdu.specific}`;
  }
  return undefined;
}

export function trapKind(oid: string): TrapKind {
  if (oid.startsWith(`${STANDARD}.`)) return GENERIC[Number(oid.slice(STANDARD.length + 1)) - 1] ?? "other";
  if (oid.startsWith("1.3.6.1.2.1.33.2.")) return "ups";
  return "other";
}

/** The SNMP devices of a validated inventory, as the receiver needs them (reveals credentials). */
export function trapDevices(
  devices: readonly { id: string; driver: Record<string, unknown> }[],
): TrapDevice[] {
  return devices.flatMap((d) => {
    if (d.driver.protocol !== "snmp") return [];
    const o = d.driver as unknown as SnmpOptions;
    const reveal = (s: { reveal(): string } | undefined) => {
      try {
        return s?.reveal();
      } catch {
        return undefined;
      }
    };
    const v3: User | undefined = o.v3
      ? {
          name: o.v3.user,
          level: snmp.SecurityLevel[o.v3.level],
          authProtocol: snmp.AuthProtocols[o.v3.authProtocol],
          authKey: reveal(o.v3.authKey),
          privProtocol: snmp.PrivProtocols[o.v3.privProtocol],
          privKey: reveal(o.v3.privKey),
        }
      : undefined;
    return [{ id: d.id, host: o.host, port: o.port, community: reveal(o.community), v3 }];
  });
}

export async function startTrapReceiver(o: TrapReceiverOptions): Promise<TrapReceiver> {
  const registers = o.registry ? [o.registry] : [];
  const received = new Counter({
    name: "emcomm_snmp_traps_total",
    help: "SNMP notifications received from known devices, by kind.",
    labelNames: ["kind"],
    registers,
  });
  const discards = new Counter({
    name: "emcomm_snmp_trap_discards_total",
    help: "Datagrams on the trap port that were not used: unknown_source, undecodable, rejected (credentials).",
    labelNames: ["reason"],
    registers,
  });
  for (const k of trapKinds) received.inc({ kind: k }, 0);
  for (const r of ["unknown_source", "undecodable", "rejected"]) discards.inc({ reason: r }, 0);

  const byEndpoint = new Map(o.devices.map((d) => [`${d.host}:${d.port}`, d.id]));
  const byAddress = new Map<string, string[]>();
  for (const d of o.devices) byAddress.set(d.host, [...(byAddress.get(d.host) ?? []), d.id]);

  const onNotification = (
    err: (Error & { rinfo?: Notification["rinfo"] }) | null,
    n: Notification | null,
  ) => {
    try {
      if (err || !n) {
        const reason = err?.name === "ProcessingError" ? "undecodable" : "rejected";
        discards.inc({ reason });
        o.log.debug({ reason, from: err?.rinfo?.address, err: err?.message }, "snmp trap discarded");
        return;
      }
      const { address, port } = n.rinfo;
      const exact = byEndpoint.get(`${address}:${port}`);
      const ids = exact ? [exact] : (byAddress.get(address) ?? []);
      if (ids.length === 0) {
        discards.inc({ reason: "unknown_source" });
        o.log.debug({ from: `${address}:${port}` }, "snmp trap from an unknown source");
        return;
      }
      const oid = trapOid(n.pdu) ?? "";
      const kind = trapKind(oid);
      received.inc({ kind });
      for (const id of ids) {
        o.log.info({ device: id, trap: oid, kind }, "snmp trap: polling the device now");
        o.onTrap(id, { oid, kind });
      }
    } catch (e) {
      o.log.warn({ err: e }, "snmp trap handling failed");
    }
  };

  const { dgramModule, listening } = boundDgram(o.port, o.host);
  const receiver: Receiver = snmp.createReceiver(
    { port: o.port || 1, address: o.host, transport: "udp4", dgramModule },
    onNotification,
  );
  const port = await listening;
  const auth = receiver.getAuthorizer();
  const communities = new Set([
    ...(o.extraCommunities ?? []),
    ...o.devices.flatMap((d) => (d.community ? [d.community] : [])),
  ]);
  for (const c of communities) auth.addCommunity(c);
  const users = new Map(o.devices.flatMap((d) => (d.v3 ? [[d.v3.name, d.v3] as const] : [])));
  for (const u of users.values()) auth.addUser(u);
  o.log.info({ port, communities: communities.size, users: users.size }, "snmp trap receiver listening");
  return {
    port,
    stop: () => new Promise<void>((resolve) => receiver.close(() => resolve())),
  };
}
