/**
 * The narrow interface between the SNMP driver and npm net-snmp: three request kinds and close().
 * Tests replace it with a replaying fake (test/support/snmp-fake-transport.ts) that also records the wire
 * plan. One transport = one net-snmp session = one device; the driver reuses it across polls.
 * Every failure reaches the caller as a PollError (kind + target + operation), never a throw from
 * an event listener.
 */
import snmp, { type Session, type VarBind } from "net-snmp";
import { asPollError, PollError } from "../../src/core/errors.ts";
import type { SnmpOptions } from "./options.ts";
import { sharedUdp } from "./shared-socket.ts";
import { describeEngine, isDecryptionReport, needsRediscovery } from "./usm.ts";

export type { VarBind };

export interface BulkResult {
  nonRepeaters: VarBind[];
  /** One array per repeated OID, in request order. */
  columns: VarBind[][];
}

export interface SnmpTransport {
  get(oids: string[]): Promise<VarBind[]>;
  getNext(oids: string[]): Promise<VarBind[]>;
  getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number): Promise<BulkResult>;
  close(): void;
}

/** Opens a net-snmp session for a device. No packet is sent until the first request. */
export function openNetSnmp(o: SnmpOptions, requestTimeoutMs: number): SnmpTransport {
  return new NetSnmpTransport(o, requestTimeoutMs);
}

/**
 * One device's session, opened on the first request and again after it was dropped. A class: a
 * fleet keeps one per device, and the methods live once on the prototype instead of as closures
 * (with their contexts, and under tsx a property dictionary per named closure) in every device.
 */
class NetSnmpTransport implements SnmpTransport {
  private session: Session | undefined;
  /** Why a session was dropped: net-snmp reports an undecodable answer only as an event. Made on the first. */
  private garbage: WeakMap<Session, Error> | undefined;

  constructor(
    private readonly o: SnmpOptions,
    private readonly requestTimeoutMs: number,
  ) {}

  get(oids: string[]): Promise<VarBind[]> {
    return this.call("GET", oids, (s, cb) => s.get(oids, cb));
  }

  getNext(oids: string[]): Promise<VarBind[]> {
    return this.call("GETNEXT", oids, (s, cb) => s.getNext(oids, cb));
  }

  getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number): Promise<BulkResult> {
    return this.call<(VarBind | VarBind[])[]>("GETBULK", oids, (s, cb) =>
      s.getBulk(oids, nonRepeaters, maxRepetitions, cb),
    ).then((raw) => bulkResult(raw, oids.length, nonRepeaters));
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }

  /** "snmp host:port vN", for error messages. */
  private get target(): string {
    return `snmp ${this.o.host}:${this.o.port} v${this.o.version}`;
  }

  private get timeoutHint(): string {
    const o = this.o;
    return o.version !== "3"
      ? "agent down, or wrong community/user"
      : o.v3?.level === "authPriv"
        ? "agent down, wrong user, or wrong privacy key (privKey): most agents drop what they cannot decrypt"
        : "agent down, or wrong user";
  }

  private drop(s: Session): void {
    if (this.session !== s) return;
    this.session = undefined;
    try {
      s.close();
    } catch {}
  }

  private open(): Session {
    if (this.session) return this.session;
    const o = this.o;
    const sessionOptions = {
      port: o.port,
      retries: o.retries,
      timeout: this.requestTimeoutMs,
      transport: "udp4" as const,
      // One UDP socket per SESSIONS_PER_SOCKET devices, not one each (shared-socket.ts).
      dgramModule: sharedUdp,
      version: o.version === "1" ? snmp.Version1 : o.version === "2c" ? snmp.Version2c : snmp.Version3,
    };
    let s: Session;
    if (o.version === "3") {
      const v3 = o.v3!;
      s = snmp.createV3Session(
        o.host,
        {
          name: v3.user,
          level: snmp.SecurityLevel[v3.level],
          authProtocol: snmp.AuthProtocols[v3.authProtocol],
          authKey: v3.authKey?.reveal(),
          privProtocol: snmp.PrivProtocols[v3.privProtocol],
          privKey: v3.privKey?.reveal(),
        },
        sessionOptions,
      );
    } else s = snmp.createSession(o.host, o.community!.reveal(), sessionOptions);
    // An undecodable answer or a socket error closes the session (failing what was pending, see
    // attempt()); the next request opens a fresh one.
    s.on("error", (err) => {
      this.garbage ??= new WeakMap();
      this.garbage.set(s, err instanceof Error ? err : new Error(String(err)));
      this.drop(s);
    });
    this.session = s;
    return s;
  }

  /** One request on the current session (opened if needed); rejects with a PollError. */
  private attempt<T>(
    op: string,
    oids: string[],
    run: (s: Session, cb: (e: Error | null, r: T) => void) => void,
  ): Promise<T> {
    const o = this.o;
    return new Promise<T>((resolve, reject) => {
      let s: Session;
      try {
        s = this.open();
      } catch (err) {
        reject(
          new PollError("config", `${this.target}: cannot open session: ${(err as Error).message}`, {
            cause: err,
          }),
        );
        return;
      }
      const discovering = o.version === "3" && !s.msgSecurityParameters;
      try {
        run(s, (err, result) => {
          if (!err) return resolve(result);
          const context = `${this.target} ${op} ${oids[0] ?? ""}`;
          const bad = this.garbage?.get(s);
          // A socket error carries a system code: the monitor's own resources (EMFILE, ENOBUFS…)
          // or the network, not the agent's answer.
          if (bad && typeof (bad as { code?: unknown }).code === "string")
            return reject(asPollError(classify(bad, `${context}: socket error`), context));
          if (bad)
            return reject(
              new PollError("protocol", `${context}: undecodable answer: ${bad.message}`, { cause: bad }),
            );
          if (o.version === "3" && err.name === "RequestTimedOutError") {
            // The next request discovers the engine again: the agent may have restarted with a new one.
            this.drop(s);
            if (discovering && s.msgSecurityParameters && o.v3?.level === "authPriv")
              return reject(
                new PollError(
                  "auth",
                  `${context}: the agent answered engine discovery (${describeEngine(s.msgSecurityParameters)}) but not the authPriv request: wrong privacy key (privKey) or privacy protocol`,
                  { cause: err },
                ),
              );
          }
          reject(classify(err, context, this.timeoutHint));
        });
      } catch (err) {
        reject(classify(err as Error, `${this.target} ${op}`, this.timeoutHint));
      }
    });
  }

  /**
   * A request. SNMPv3: sent again once on a fresh session when the agent says our notion of its
   * engine is stale (RFC 3414 §4: its engineTime went back without a new engineBoots, or a new
   * engine ID). v1 and v2c have no engines: their requests go straight to the attempt, without the
   * retry's async layer.
   */
  private call<T>(
    op: string,
    oids: string[],
    run: (s: Session, cb: (e: Error | null, r: T) => void) => void,
  ): Promise<T> {
    return this.o.version === "3" ? this.callV3(op, oids, run) : this.attempt(op, oids, run);
  }

  private async callV3<T>(
    op: string,
    oids: string[],
    run: (s: Session, cb: (e: Error | null, r: T) => void) => void,
  ): Promise<T> {
    try {
      return await this.attempt(op, oids, run);
    } catch (err) {
      if (!(err instanceof PollError) || !needsRediscovery(err.cause)) throw err;
      if (this.session) this.drop(this.session);
    }
    try {
      return await this.attempt(op, oids, run);
    } catch (err) {
      if (!(err instanceof PollError) || !needsRediscovery(err.cause)) throw err;
      const learned = describeEngine(this.session?.msgSecurityParameters);
      if (this.session) this.drop(this.session);
      throw new PollError(
        "auth",
        `${this.target} ${op} ${oids[0] ?? ""}: still outside the agent's time window after rediscovering its engine (${learned}): ${(err.cause as Error).message}`,
        { cause: err.cause },
      );
    }
  }
}

/** net-snmp's GETBULK answer (non-repeaters, then one array per repeated OID) split in two. */
function bulkResult(raw: (VarBind | VarBind[])[], requested: number, nonRepeaters: number): BulkResult {
  const columns: VarBind[][] = [];
  for (let i = nonRepeaters; i < requested; i++) columns.push((raw[i] as VarBind[] | undefined) ?? []);
  return { nonRepeaters: raw.slice(0, nonRepeaters) as VarBind[], columns };
}

/** SNMP error-status numbers the walker reacts to. */
export const TOO_BIG = 1;
export const NO_SUCH_NAME = 2;

/** A PollError for a net-snmp error; `status` (error-status) is kept on the cause for the walker. */
export function classify(
  err: Error & { status?: number; code?: number | string },
  context: string,
  timeoutHint = "agent down, or wrong community/user",
): PollError {
  switch (err.name) {
    case "RequestTimedOutError":
      return new PollError("timeout", `${context}: no answer (${timeoutHint})`, {
        cause: err,
      });
    case "RequestFailedError": {
      const status = err.status ?? 0;
      const name = snmp.ErrorStatus[status] ?? String(status);
      if (status === 16) return new PollError("auth", `${context}: agent says ${name}`, { cause: err });
      if (status === NO_SUCH_NAME)
        return new PollError("decode", `${context}: agent says noSuchName`, { cause: err });
      return new PollError("device", `${context}: agent answered error-status ${name}`, { cause: err });
    }
    case "ResponseInvalidError": {
      const codes = snmp.ResponseInvalidCode;
      if (
        err.code === codes.EAuthFailure ||
        err.code === codes.ECouldNotDecrypt ||
        err.code === codes.ECommunityNoMatch
      )
        return new PollError(
          "auth",
          `${context}: ${isDecryptionReport(err) ? "agent could not decrypt the request (usmStatsDecryptionErrors): wrong privacy key (privKey) or privacy protocol" : err.message}`,
          { cause: err },
        );
      return new PollError("protocol", `${context}: ${err.message}`, { cause: err });
    }
    case "RequestInvalidError":
      return new PollError("config", `${context}: ${err.message}`, { cause: err });
    default:
      if (err instanceof PollError) return err;
      if (
        typeof err.code === "string" &&
        /^E(CONNREFUSED|HOSTUNREACH|NETUNREACH|NOTFOUND|AI_AGAIN)/.test(err.code)
      )
        return new PollError("unreachable", `${context}: ${err.code}`, { cause: err });
      return new PollError("protocol", `${context}: ${err.message}`, { cause: err });
  }
}

/** The error-status of a failed request, when the agent sent one. */
export function errorStatus(err: unknown): number | undefined {
  const cause = (err as { cause?: { name?: string; status?: number } } | null)?.cause;
  return cause?.name === "RequestFailedError" ? cause.status : undefined;
}
