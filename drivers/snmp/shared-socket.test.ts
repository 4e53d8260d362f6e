/**
 * Sessions sharing UDP sockets (shared-socket.ts): many drivers polling a real snmpd at once, on
 * two ports, v2c, v3 and a wrong community side by side, each get their own answers; the message
 * ids that route answers are read from hand-made BER.
 */
import { createSocket } from "node:dgram";
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveSnmpd, type Snmpd, startSnmpd, V3 } from "../../peers/index.ts";
import { snmpdDriver } from "../../test/support/snmpd-driver.ts";
import { messageId, SESSIONS_PER_SOCKET, sharedSocketCount, sharedUdp } from "./shared-socket.ts";

describe("message ids", () => {
  const int = (...bytes: number[]) => [0x02, bytes.length, ...bytes];
  const seq = (tag: number, ...content: number[]) =>
    content.length < 128
      ? [tag, content.length, ...content]
      : [tag, 0x82, content.length >> 8, content.length & 0xff, ...content];
  const community = [0x04, 6, ...Buffer.from("public")];
  const v2c = (pduTag: number, id: number[], padding = 0) =>
    Uint8Array.from(
      seq(
        0x30,
        ...int(1),
        ...community,
        ...seq(pduTag, ...int(...id), ...int(0), ...int(0), ...seq(0x30, ...new Array(padding).fill(0))),
      ),
    );

  it.each([
    ["v2c response", v2c(0xa2, [0x12, 0x34, 0x56, 0x78]), 0x12345678],
    ["v2c GETBULK request", v2c(0xa5, [0x01]), 1],
    ["v1 GET request", Uint8Array.from(seq(0x30, ...int(0), ...community, ...seq(0xa0, ...int(7)))), 7],
    ["negative id", v2c(0xa2, [0xff, 0xfe]), -2],
    ["five-byte id", v2c(0xa2, [0x00, 0xff, 0xff, 0xff, 0xff]), 0xffffffff],
    ["long-form lengths", v2c(0xa2, [0x2a], 300), 42],
    [
      "v3: msgID of msgGlobalData",
      Uint8Array.from(seq(0x30, ...int(3), ...seq(0x30, ...int(0x01, 0x02), ...int(0x05, 0xdc)))),
      0x0102,
    ],
  ])("%s", (_, message, id) => {
    expect(messageId(message)).toBe(id);
  });

  it.each([
    ["empty", Uint8Array.from([])],
    ["not a sequence", Uint8Array.from([0x04, 0x02, 0x30, 0x00])],
    ["truncated inside the id", v2c(0xa2, [0x12, 0x34, 0x56, 0x78]).subarray(0, 16)],
    ["not a PDU after the community", Uint8Array.from(seq(0x30, ...int(1), ...community, ...int(5)))],
    ["random bytes", Uint8Array.from([0x9b, 0x13, 0x77, 0x00, 0xfe, 0x30, 0x02, 0x01])],
  ])("%s: no id", (_, message) => {
    expect(messageId(message)).toBeUndefined();
  });
});

/** An echo peer: the answer to a message carries its id; after one ending in 0xee, a datagram without one. */
async function echoPeer(): Promise<{ port: number; close(): void }> {
  const echo = createSocket("udp4");
  echo.on("message", (m, from) => {
    echo.send(m, from.port, from.address);
    if (m[m.length - 1] === 0xee) echo.send(Buffer.from([0xde, 0xad]), from.port, from.address);
  });
  await new Promise<void>((resolve) => echo.bind(0, "127.0.0.1", resolve));
  return { port: echo.address().port, close: () => echo.close() };
}

/** A v2c GetResponse with a one-byte request id; `last` ends it (0xee: the peer adds a datagram). */
const message = (id: number, last = 0) =>
  Buffer.from([0x30, 0x0e, 0x02, 0x01, 0x01, 0x04, 0x01, 0x70, 0xa2, 0x06, 0x02, 0x01, id, 0x02, 0x01, last]);

type Session = ReturnType<typeof sharedUdp.createSocket> & NodeJS.EventEmitter;

/** A session of the shared socket that records the ids it receives (-1: a datagram without one). */
function session(): { socket: Session; got: number[] } {
  const socket = sharedUdp.createSocket("udp4") as Session;
  const got: number[] = [];
  socket.on("message", (m: Buffer) => got.push(m.length === 2 ? -1 : m[12]!));
  return { socket, got };
}

const send = (s: Session, m: Buffer, port: number) =>
  new Promise<void>((resolve, reject) =>
    (s as unknown as { send: (...args: unknown[]) => void }).send(
      m,
      0,
      m.length,
      port,
      "127.0.0.1",
      (e: Error | null) => (e ? reject(e) : resolve()),
    ),
  );

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe("routing on a shared socket", () => {
  it("gives each session the answers to its own ids, and what has no known id to every session that sent to its source", async () => {
    const echo = await echoPeer();
    const [a, b] = [session(), session()];
    try {
      await send(a.socket, message(1), echo.port);
      await send(b.socket, message(2), echo.port);
      await send(a.socket, message(3, 0xee), echo.port);
      await until(() => a.got.length + b.got.length >= 5);
      expect(a.got.sort((x, y) => x - y)).toEqual([-1, 1, 3]);
      expect(b.got.sort((x, y) => x - y)).toEqual([-1, 2]);
    } finally {
      for (const s of [a, b]) (s.socket as unknown as { close(): void }).close();
      echo.close();
    }
  });

  it("of two sessions that drew the same id, each gets the answer of the agent it asked", async () => {
    const [one, two] = [await echoPeer(), await echoPeer()];
    const [a, b] = [session(), session()];
    try {
      // b joined the socket after a, so routing by id alone would hand a both answers.
      await send(a.socket, message(7), one.port);
      await send(b.socket, message(7, 1), two.port);
      await until(() => a.got.length + b.got.length >= 2);
      await new Promise((r) => setTimeout(r, 50));
      expect(a.got).toEqual([7]);
      expect(b.got).toEqual([7]);
    } finally {
      for (const s of [a, b]) (s.socket as unknown as { close(): void }).close();
      one.close();
      two.close();
    }
  });
});

describe.skipIf(!haveSnmpd)("sessions sharing sockets against a real snmpd", () => {
  let snmpd: Snmpd;
  beforeAll(async () => {
    snmpd = await startSnmpd(2);
  });
  afterAll(async () => {
    await snmpd?.stop();
  });

  it(`polls 40 devices at once on ${Math.ceil(40 / SESSIONS_PER_SOCKET)} sockets, each answer reaching its session`, async () => {
    const sockets = () => readdirSync("/proc/self/fd").length;
    const before = sharedSocketCount();
    const fds = sockets();
    const v3 = { version: "3", v3: { user: V3.user, authKey: V3.authKey, privKey: V3.privKey } };
    // Same agent, two ports: v2c and v3 devices, and devices with a wrong community (silently
    // dropped by the agent) on the same socket and port as good ones.
    const kinds = [
      { port: snmpd.ports[0], community: "public" },
      { port: snmpd.ports[1], ...v3 },
      { port: snmpd.ports[0], community: "wrong" },
      { port: snmpd.ports[1], community: "public" },
    ];
    const drivers = Array.from({ length: 40 }, (_, i) => snmpdDriver(snmpd, kinds[i % 4]!, 2_000));
    const outcomes = await Promise.allSettled(drivers.map((d) => d.poll(new AbortController().signal)));
    expect(sharedSocketCount() - before).toBe(Math.ceil(40 / SESSIONS_PER_SOCKET));
    if (process.platform === "linux")
      expect(sockets() - fds).toBeLessThanOrEqual(Math.ceil(40 / SESSIONS_PER_SOCKET));
    outcomes.forEach((o, i) => {
      if (i % 4 === 2) expect(o).toMatchObject({ status: "rejected", reason: { kind: "timeout" } });
      else {
        expect(o.status, `device ${i}`).toBe("fulfilled");
        const samples = (o as PromiseFulfilledResult<{ metric: string }[]>).value;
        expect(samples.some((s) => s.metric === "system_uptime_seconds")).toBe(true);
      }
    });
    // A second round on the same sessions: answers still reach their sessions.
    const again = await Promise.allSettled(
      drivers.filter((_, i) => i % 4 !== 2).map((d) => d.poll(new AbortController().signal)),
    );
    expect(again.every((o) => o.status === "fulfilled")).toBe(true);
    await Promise.all(drivers.map((d) => d.close()));
    expect(sharedSocketCount()).toBe(before);
  });
});
