/**
 * SNMP trap/inform receiver (v1, v2c, v3). Maps each notification to the device it came from and
 * asks for an immediate re-poll, so a linkDown or an UPS on-battery is seen in seconds, not at the
 * next poll. Source → device: a v3 notification whose engine id (a trap's msgAuthoritativeEngineID;
 * an inform's contextEngineID, since an inform is authoritative at the receiver) is a device's
 * `engineId` at that address maps to that device alone; when devices at the address declare engine ids and none is the notification's, it
 * is discarded (reason unknown_engine). Otherwise the exact address:port of an SNMP device
 * (simulated devices send from their own port), else every SNMP device at that address. Accepted
 * credentials are the inventory's own (each SNMP device's community and v3 user) plus
 * `extraCommunities`.
 *
 * Never fatal: unknown sources, undecodable datagrams and bad credentials are counted in
 * emcomm_snmp_trap_discards_total{reason} and logged at debug; nothing thrown reaches the socket.
 *
 * Storms: each source address has a token bucket (`perSourceRate` a second); past it a
 * notification is discarded (reason rate_limited). A device is re-polled at most once per
 * `minRepollMs`: a trap inside that window schedules one re-poll at its end (reason coalesced for
 * the others). Logs are one line per source per `logIntervalMs`, with counts.
 */
import snmp, { type Notification, type Receiver, type User } from "net-snmp";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { type Clock, systemClock, type TimerHandle } from "../../src/core/clock.ts";
import { boundDgram } from "./loopback.ts";
import type { SnmpOptions } from "./options.ts";

export interface TrapDevice {
  id: string;
  host: string;
  port: number;
  community?: string;
  v3?: User;
  /** The agent's SNMPv3 engine id, lower-case hex without 0x. */
  engineId?: string;
}

export interface TrapReceiverOptions {
  host: string;
  port: number;
  devices: readonly TrapDevice[];
  extraCommunities?: readonly string[];
  log: Logger;
  registry?: Registry;
  /** Called to re-poll a device a notification came from (rate-limited). Must not throw. */
  onTrap(deviceId: string, trap: { oid: string; kind: TrapKind }): void;
  clock?: Clock;
  /** Notifications a second accepted from one source address (default 50; the bucket holds as many). */
  perSourceRate?: number;
  /** At most one re-poll of a device per this many ms (default 1000). */
  minRepollMs?: number;
  /** One log line per source per this many ms (default 10 s). */
  logIntervalMs?: number;
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
    return [
      { id: d.id, host: o.host, port: o.port, community: reveal(o.community), v3, engineId: o.engineId },
    ];
  });
}

/**
 * net-snmp hands the callback the PDU only; this adds the originator's engine id to it. A trap's
 * sender is authoritative (msgAuthoritativeEngineID); an inform's receiver is, so its originator is
 * the scoped PDU's contextEngineID.
 */
function withEngineId(receiver: Receiver): void {
  const format = receiver.formatCallbackData.bind(receiver);
  receiver.formatCallbackData = (message, rinfo) => {
    const data = format(message, rinfo);
    if (message.version !== snmp.Version3) return data;
    const engineId =
      message.pdu.type === snmp.PduType.InformRequest
        ? data.pdu.contextEngineID
        : message.msgSecurityParameters?.msgAuthoritativeEngineID?.toString("hex");
    if (engineId) data.pdu.engineId = engineId.toLowerCase();
    return data;
  };
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
    help: "Datagrams on the trap port that were not used: unknown_source, unknown_engine, undecodable, rejected (credentials), rate_limited, coalesced.",
    labelNames: ["reason"],
    registers,
  });
  for (const k of trapKinds) received.inc({ kind: k }, 0);
  for (const r of [
    "unknown_source",
    "unknown_engine",
    "undecodable",
    "rejected",
    "rate_limited",
    "coalesced",
  ])
    discards.inc({ reason: r }, 0);
  const clock = o.clock ?? systemClock;
  const rate = o.perSourceRate ?? 50;
  const minRepollMs = o.minRepollMs ?? 1000;
  const logIntervalMs = o.logIntervalMs ?? 10_000;

  const buckets = new Map<string, { tokens: number; at: number }>();
  const admit = (source: string): boolean => {
    const now = clock.now();
    const b = buckets.get(source) ?? { tokens: rate, at: now };
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    buckets.set(source, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };

  const lastRepoll = new Map<string, number>();
  const deferred = new Map<string, TimerHandle>();
  const repoll = (id: string, trap: { oid: string; kind: TrapKind }) => {
    const now = clock.now();
    const wait = (lastRepoll.get(id) ?? Number.NEGATIVE_INFINITY) + minRepollMs - now;
    if (wait <= 0) {
      lastRepoll.set(id, now);
      o.onTrap(id, trap);
      return;
    }
    if (deferred.has(id)) {
      discards.inc({ reason: "coalesced" });
      return;
    }
    deferred.set(
      id,
      clock.setTimer(wait, () => {
        deferred.delete(id);
        lastRepoll.set(id, clock.now());
        o.onTrap(id, trap);
      }),
    );
  };

  // Per source: traps since the last line, devices, kinds, discards; logged once per interval.
  const tally = new Map<
    string,
    { traps: number; discarded: number; devices: Set<string>; kinds: Set<string>; logged: boolean }
  >();
  let logTimer: TimerHandle | undefined;
  const flushLog = () => {
    logTimer = undefined;
    for (const [source, t] of tally)
      if (t.discarded > 0 || t.traps > (t.logged ? 1 : 0))
        o.log.info(
          {
            from: source,
            traps: t.traps,
            discarded: t.discarded,
            devices: [...t.devices],
            kinds: [...t.kinds],
          },
          "snmp traps in the last interval",
        );
    tally.clear();
  };
  const note = (source: string, ids: readonly string[], kind: string | undefined, discarded: boolean) => {
    let t = tally.get(source);
    if (!t) {
      // The first of an interval is logged at once; the rest are summed up at its end.
      if (!discarded) o.log.info({ from: source, devices: ids, kind }, "snmp trap: polling the device now");
      t = { traps: 0, discarded: 0, devices: new Set(), kinds: new Set(), logged: !discarded };
      tally.set(source, t);
      logTimer ??= clock.setTimer(logIntervalMs, flushLog);
    }
    if (discarded) t.discarded++;
    else {
      t.traps++;
      for (const id of ids) t.devices.add(id);
      if (kind) t.kinds.add(kind);
    }
  };

  const byEndpoint = new Map(o.devices.map((d) => [`${d.host}:${d.port}`, d.id]));
  const byAddress = new Map<string, string[]>();
  for (const d of o.devices) byAddress.set(d.host, [...(byAddress.get(d.host) ?? []), d.id]);
  /** Per address, the devices that declare an engine id, by that id. */
  const byEngine = new Map<string, Map<string, string>>();
  for (const d of o.devices)
    if (d.engineId) byEngine.set(d.host, (byEngine.get(d.host) ?? new Map()).set(d.engineId, d.id));

  /** The devices a notification maps to; undefined when its engine id is none of the address's. */
  const devicesFor = (address: string, port: number, engineId: string | undefined) => {
    const engines = byEngine.get(address);
    if (engineId && engines) {
      const id = engines.get(engineId.toLowerCase());
      return id ? [id] : undefined;
    }
    const exact = byEndpoint.get(`${address}:${port}`);
    return exact ? [exact] : (byAddress.get(address) ?? []);
  };

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
      if (!admit(address)) {
        discards.inc({ reason: "rate_limited" });
        note(address, [], undefined, true);
        return;
      }
      const engineId = n.pdu.engineId;
      const ids = devicesFor(address, port, engineId);
      if (!ids) {
        discards.inc({ reason: "unknown_engine" });
        note(address, [], undefined, true);
        o.log.debug({ from: `${address}:${port}`, engineId }, "snmp trap from an unknown engine");
        return;
      }
      if (ids.length === 0) {
        discards.inc({ reason: "unknown_source" });
        o.log.debug({ from: `${address}:${port}` }, "snmp trap from an unknown source");
        return;
      }
      const oid = trapOid(n.pdu) ?? "";
      const kind = trapKind(oid);
      received.inc({ kind });
      note(address, ids, kind, false);
      for (const id of ids) repoll(id, { oid, kind });
    } catch (e) {
      o.log.warn({ err: e }, "snmp trap handling failed");
    }
  };

  const { dgramModule, listening } = boundDgram(o.port, o.host);
  const receiver: Receiver = snmp.createReceiver(
    { port: o.port || 1, address: o.host, transport: "udp4", dgramModule },
    onNotification,
  );
  withEngineId(receiver);
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
    stop: () => {
      for (const t of deferred.values()) t.cancel();
      deferred.clear();
      logTimer?.cancel();
      flushLog();
      return new Promise<void>((resolve) => receiver.close(() => resolve()));
    },
  };
}
