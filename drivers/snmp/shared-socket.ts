/**
 * UDP sockets shared by net-snmp sessions, through net-snmp's `dgramModule` option: a fleet needs
 * one socket (descriptor, libuv handle, Node objects, kernel buffers) per SESSIONS_PER_SOCKET SNMP
 * devices instead of one per device.
 *
 * Who calls it: net-snmp, once per session that transport.ts opens (`createSocket`), then the
 * session's send/ref/unref/close. An answer goes to the session that sent the request, found by
 * the message's id (v1/v2c: the PDU's request-id; v3: msgID; both in clear and random per
 * request), and of sessions remembering the same id the one that sent to the answer's source. A datagram whose id is not outstanding (an undecodable answer, a late or repeated
 * one) goes to every session of the socket that sent to its source address and port, as if each
 * had a socket of its own: net-snmp ignores an id it does not wait for and reports what it cannot
 * decode (transport.ts turns that into a `protocol` error).
 *
 * A session has one request outstanding at a time (the walker sends one at a time, net-snmp
 * resends with the same id), so a socket's receive queue holds at most SESSIONS_PER_SOCKET
 * answers of at most 250 varbinds each (walk.ts): well inside Linux's default 208 KB.
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { lookup } from "node:dns";
import { isIP } from "node:net";
import { SNMP_DEVICES_PER_SOCKET } from "../../src/core/descriptors.ts";

export const SESSIONS_PER_SOCKET = SNMP_DEVICES_PER_SOCKET;
/** Ids a session remembers: its outstanding request's and a few that timed out before. */
const IDS_PER_SESSION = 4;

/** The `dgramModule` that transport.ts hands to net-snmp sessions. */
export const sharedUdp = {
  createSocket(type: "udp4" | "udp6"): SessionSocket | Socket {
    if (type !== "udp4") return createSocket(type);
    let group = groups.find((g) => g.members.size < SESSIONS_PER_SOCKET);
    if (!group) {
      group = new SocketGroup();
      groups.push(group);
    }
    const socket = new SessionSocket(group);
    group.members.add(socket);
    return socket;
  },
};

/** Open shared sockets, for tests and the fleet bench. */
export function sharedSocketCount(): number {
  return groups.length;
}

/** Groups with an open socket; one closes when its last session does. */
const groups: SocketGroup[] = [];

class SocketGroup {
  readonly socket = createSocket("udp4");
  readonly members = new Set<SessionSocket>();
  /** Members that asked to hold the process open (a request outstanding). */
  private refs = 0;

  constructor() {
    this.socket.unref();
    this.socket.on("message", (message: Buffer, from: RemoteInfo) => this.route(message, from));
    this.socket.on("error", (err) => {
      for (const member of this.members) member.deliverError(err);
    });
  }

  ref(): void {
    if (this.refs++ === 0) this.socket.ref();
  }

  unref(): void {
    if (--this.refs === 0) this.socket.unref();
  }

  leave(member: SessionSocket): void {
    this.members.delete(member);
    if (this.members.size > 0) return;
    groups.splice(groups.indexOf(this), 1);
    this.socket.close();
  }

  private route(message: Buffer, from: RemoteInfo): void {
    const id = messageId(message);
    if (id !== undefined) {
      // Ids are random but not unique across sessions (net-snmp draws them from 10^8): of two
      // sessions remembering the same id, the one that sent to this source has it; an agent that
      // answers from another address than it was asked at still reaches the one that asked.
      let awaiting: SessionSocket | undefined;
      for (const member of this.members)
        if (member.awaits(id)) {
          if (member.sentTo(from)) {
            member.deliverMessage(message, from);
            return;
          }
          awaiting ??= member;
        }
      if (awaiting) {
        awaiting.deliverMessage(message, from);
        return;
      }
    }
    for (const member of this.members) if (member.sentTo(from)) member.deliverMessage(message, from);
  }
}

type Listener = (...args: unknown[]) => void;

/**
 * What one net-snmp session holds as its socket: the part of dgram.Socket it uses. Not an
 * EventEmitter (its listener table alone is the size of the rest): net-snmp listens once each to
 * "message", "close" and "error", and that is all `on` takes.
 */
class SessionSocket {
  private readonly ids: number[] = [];
  private address: string | undefined;
  private port: number | undefined;
  private refd = false;
  private closed = false;
  private onMessage: Listener | undefined;
  private onClose: Listener | undefined;
  private onError: Listener | undefined;

  constructor(private readonly group: SocketGroup) {}

  on(event: string, listener: Listener): this {
    if (event === "message" && !this.onMessage) this.onMessage = listener;
    else if (event === "close" && !this.onClose) this.onClose = listener;
    else if (event === "error" && !this.onError) this.onError = listener;
    else
      throw new Error(
        `shared SNMP socket: one listener for "message", "close" and "error" each, not "${event}"`,
      );
    return this;
  }

  deliverMessage(message: Buffer, from: RemoteInfo): void {
    this.onMessage?.(message, from);
  }

  deliverError(error: Error): void {
    this.onError?.(error);
  }

  send(
    buffer: Buffer,
    offset: number,
    length: number,
    port: number,
    address: string,
    callback?: (error: Error | null, bytes?: number) => void,
  ): void {
    if (this.closed) {
      const error = Object.assign(new Error("Not running"), { code: "ERR_SOCKET_DGRAM_NOT_RUNNING" });
      throw error;
    }
    const id = messageId(buffer.subarray(offset, offset + length));
    if (id !== undefined && !this.ids.includes(id)) {
      this.ids.push(id);
      if (this.ids.length > IDS_PER_SESSION) this.ids.shift();
    }
    if (isIP(address)) this.sendTo(address, buffer, offset, length, port, callback);
    // Resolved as dgram.send does for a udp4 socket, but here, so that answers can be told by source.
    else
      lookup(address, { family: 4 }, (error, ip) =>
        error ? callback?.(error) : this.sendTo(ip, buffer, offset, length, port, callback),
      );
  }

  private sendTo(
    address: string,
    buffer: Buffer,
    offset: number,
    length: number,
    port: number,
    callback?: (error: Error | null, bytes?: number) => void,
  ): void {
    this.address = address;
    this.port = port;
    this.group.socket.send(buffer, offset, length, port, address, callback);
  }

  awaits(id: number): boolean {
    return this.ids.includes(id);
  }

  sentTo(from: RemoteInfo): boolean {
    return this.port === from.port && this.address === from.address;
  }

  ref(): this {
    if (!this.refd && !this.closed) {
      this.refd = true;
      this.group.ref();
    }
    return this;
  }

  unref(): this {
    if (this.refd) {
      this.refd = false;
      this.group.unref();
    }
    return this;
  }

  close(): this {
    if (this.closed) return this;
    this.unref();
    this.closed = true;
    this.group.leave(this);
    process.nextTick(() => this.onClose?.());
    return this;
  }
}

/**
 * The id net-snmp matches an answer by: the request-id of a v1/v2c message, the msgID of a v3
 * one; undefined when the datagram does not read as either.
 */
export function messageId(b: Uint8Array): number | undefined {
  let p = contentOf(b, 0, 0x30);
  if (p < 0) return undefined;
  const version = integerAt(b, p);
  if (version === undefined) return undefined;
  p = next;
  if (version === 3) {
    p = contentOf(b, p, 0x30); // msgGlobalData
    return p < 0 ? undefined : integerAt(b, p);
  }
  p = contentOf(b, p, 0x04); // community
  if (p < 0) return undefined;
  p += length;
  const pdu = b[p];
  if (pdu === undefined || pdu < 0xa0 || pdu > 0xa8) return undefined;
  p = contentOf(b, p, pdu);
  return p < 0 ? undefined : integerAt(b, p);
}

/** The length read by the last contentOf, and where the last integerAt ended. */
let length = 0;
let next = 0;

/** Where the content of the BER element at `p` starts if its tag is `tag` (its length in `length`), else -1. */
function contentOf(b: Uint8Array, p: number, tag: number): number {
  if (b[p] !== tag) return -1;
  let first = b[p + 1];
  if (first === undefined) return -1;
  p += 2;
  if (first & 0x80) {
    const bytes = first & 0x7f;
    if (bytes < 1 || bytes > 4 || p + bytes > b.length) return -1;
    first = 0;
    for (let i = 0; i < bytes; i++) first = first * 256 + b[p++]!;
  }
  length = first;
  return p;
}

/** The INTEGER at `p` (up to 5 bytes, as BER signs it), or undefined; sets `next` past it. */
function integerAt(b: Uint8Array, p: number): number | undefined {
  const start = contentOf(b, p, 0x02);
  if (start < 0 || length < 1 || length > 5 || start + length > b.length) return undefined;
  let value = (b[start]! << 24) >> 24;
  for (let i = 1; i < length; i++) value = value * 256 + b[start + i]!;
  next = start + length;
  return value;
}
