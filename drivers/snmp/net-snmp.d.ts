/**
 * The part of npm `net-snmp` (plain JavaScript, no bundled types) this project uses. Only what
 * drivers/snmp, simulators/snmp and the trap receiver call is declared, so a wrong call fails tsc.
 */
declare module "net-snmp" {
  export interface VarBind {
    oid: string;
    type: number;
    value: unknown;
  }
  export type Callback<T> = (error: Error | null, result: T) => void;
  export interface Session {
    get(oids: string[], cb: Callback<VarBind[]>): void;
    getNext(oids: string[], cb: Callback<VarBind[]>): void;
    getBulk(
      oids: string[],
      nonRepeaters: number,
      maxRepetitions: number,
      cb: Callback<(VarBind | VarBind[])[]>,
    ): void;
    trap(typeOrOid: number | string, varbinds: VarBind[], cb: (error: Error | null) => void): void;
    inform(typeOrOid: number | string, varbinds: VarBind[], cb: (error: Error | null) => void): void;
    close(): void;
    /**
     * v3: the authoritative engine learned by discovery (RFC 3414 §4); undefined until a report
     * answered the discovery request. Read only, to tell "agent silent" from "agent answered
     * discovery but not the request".
     */
    readonly msgSecurityParameters?: {
      msgAuthoritativeEngineID: Buffer;
      msgAuthoritativeEngineBoots: number;
      msgAuthoritativeEngineTime: number;
    };
    on(event: "error", fn: (err: Error) => void): void;
    on(event: "close", fn: () => void): void;
  }
  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    backoff?: number;
    transport?: "udp4" | "udp6";
    trapPort?: number;
    version?: number;
    idBitsSize?: 16 | 32;
    engineID?: string;
    context?: string;
    /** A dgram-compatible module (the simulator sends traps from a device's own port with it). */
    dgramModule?: unknown;
  }
  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }
  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;
  export function isVarbindError(vb: VarBind): boolean;
  export function varbindError(vb: VarBind): string;

  export interface Authorizer {
    addCommunity(community: string): void;
    addUser(user: User): void;
  }
  export interface MibRequest {
    done(err?: { errorStatus: number }): void;
  }
  export interface ProviderDefinition {
    name: string;
    type: number;
    oid: string;
    scalarType?: number;
    maxAccess: number;
    tableColumns?: { number: number; name: string; type: number; maxAccess: number }[];
    tableIndex?: { columnName: string }[];
    handler?: (req: MibRequest) => void;
  }
  export interface Mib {
    registerProvider(def: ProviderDefinition): void;
    setScalarValue(name: string, value: unknown): void;
    addTableRow(name: string, row: unknown[]): void;
    setTableSingleCell(name: string, column: number, rowIndex: unknown[], value: unknown): void;
    deleteTableRow(name: string, rowIndex: unknown[]): void;
    unregisterProvider(name: string): void;
  }
  export interface Agent {
    getAuthorizer(): Authorizer;
    getMib(): Mib;
    close(cb?: () => void): void;
  }
  export interface Notification {
    pdu: {
      type: number;
      id: number;
      varbinds: VarBind[];
      enterprise?: string;
      generic?: number;
      specific?: number;
      /** v3 only: the scoped PDU's contextEngineID, as hex. */
      contextEngineID?: string;
      /** v3 only, set by traps.ts: the originator's engine id (lower-case hex). */
      engineId?: string;
    };
    rinfo: { address: string; port: number; family: string; size: number };
  }
  /** The decoded message a Receiver hands to formatCallbackData (only the fields read here). */
  export interface ReceivedMessage {
    version: number;
    pdu: { type: number };
    msgSecurityParameters?: { msgAuthoritativeEngineID?: Buffer };
  }
  export interface Receiver {
    getAuthorizer(): Authorizer;
    close(cb?: () => void): void;
    /** Internal: builds the notification passed to the callback from the decoded message. */
    formatCallbackData(message: ReceivedMessage, rinfo: Notification["rinfo"]): Notification;
  }
  export interface ListenerOptions {
    port?: number;
    address?: string | null;
    transport?: "udp4" | "udp6";
    disableAuthorization?: boolean;
    engineID?: string;
    accessControlModelType?: number;
    includeAuthentication?: boolean;
    dgramModule?: unknown;
  }
  export function createAgent(
    options: ListenerOptions,
    cb: (error: Error | null, data: unknown) => void,
  ): Agent;
  export function createReceiver(
    options: ListenerOptions,
    cb: (error: (Error & { rinfo?: Notification["rinfo"] }) | null, n: Notification | null) => void,
  ): Receiver;

  export const Version1: number;
  export const Version2c: number;
  export const Version3: number;
  export const ObjectType: Record<string, number>;
  export const ErrorStatus: Record<string, number>;
  export const SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
  export const AuthProtocols: Record<string, number>;
  export const PrivProtocols: Record<string, number>;
  export const MibProviderType: { Scalar: number; Table: number };
  export const MaxAccess: Record<string, number>;
  export const TrapType: Record<string, number>;
  export const PduType: Record<string, number>;
  export const ResponseInvalidCode: Record<string, number>;

  const snmp: {
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    createAgent: typeof createAgent;
    createReceiver: typeof createReceiver;
    isVarbindError: typeof isVarbindError;
    varbindError: typeof varbindError;
    Version1: number;
    Version2c: number;
    Version3: number;
    ObjectType: Record<string, number>;
    ErrorStatus: Record<string, number>;
    SecurityLevel: typeof SecurityLevel;
    AuthProtocols: Record<string, number>;
    PrivProtocols: Record<string, number>;
    MibProviderType: typeof MibProviderType;
    MaxAccess: Record<string, number>;
    TrapType: Record<string, number>;
    PduType: Record<string, number>;
    ResponseInvalidCode: Record<string, number>;
  };
  export default snmp;
}
