/**
 * A minimal Modbus TCP server (MBAP framing, function codes 1–4) on loopback, with hooks for the
 * failures a simulator needs: exceptions, silence, short and garbled answers. Written here rather
 * than using modbus-serial's ServerTCP so that faults can shape the bytes on the wire; libmodbus's
 * mbpoll reads it in the conformance test.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { Table } from "../../drivers/modbus/profile.ts";

const fcTable: Record<number, Table> = { 1: "coil", 2: "discrete", 3: "holding", 4: "input" };

export interface ModbusRequest {
  unitId: number;
  table: Table;
  address: number;
  count: number;
}

export type ModbusReply =
  | { values: readonly number[] }
  | { exception: number }
  /** No answer at all (a dead unit). */
  | { silent: true }
  /** Valid framing with fewer values than asked. */
  | { short: true; values: readonly number[] }
  /** Bytes that are not Modbus. */
  | { garbage: true };

export interface ModbusTcpServer {
  port: number;
  close(): Promise<void>;
}

function frame(txid: number, unitId: number, pdu: Buffer): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt16BE(txid, 0);
  head.writeUInt16BE(0, 2);
  head.writeUInt16BE(pdu.length + 1, 4);
  head.writeUInt8(unitId, 6);
  return Buffer.concat([head, pdu]);
}

function pduFor(fc: number, values: readonly number[], count: number): Buffer {
  if (fc === 1 || fc === 2) {
    const bytes = Math.ceil(count / 8);
    const out = Buffer.alloc(2 + bytes);
    out.writeUInt8(fc, 0);
    out.writeUInt8(bytes, 1);
    for (let i = 0; i < count; i++) if (values[i]) out[2 + (i >> 3)]! |= 1 << (i & 7);
    return out;
  }
  const out = Buffer.alloc(2 + count * 2);
  out.writeUInt8(fc, 0);
  out.writeUInt8(count * 2, 1);
  for (let i = 0; i < count; i++) out.writeUInt16BE((values[i] ?? 0) & 0xffff, 2 + i * 2);
  return out;
}

export async function startModbusTcpServer(
  handle: (req: ModbusRequest) => ModbusReply | Promise<ModbusReply>,
  port = 0,
): Promise<ModbusTcpServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 7) {
        const len = buffer.readUInt16BE(4);
        if (buffer.length < 6 + len) break;
        const adu = buffer.subarray(0, 6 + len);
        buffer = buffer.subarray(6 + len);
        void answer(socket, adu);
      }
    });
  });
  const answer = async (socket: Socket, adu: Buffer) => {
    const txid = adu.readUInt16BE(0);
    const unitId = adu.readUInt8(6);
    const fc = adu.readUInt8(7);
    const table = fcTable[fc];
    const send = (b: Buffer) => {
      if (!socket.destroyed) socket.write(b);
    };
    if (!table || adu.length < 12) return send(frame(txid, unitId, Buffer.from([fc | 0x80, 1])));
    const req: ModbusRequest = { unitId, table, address: adu.readUInt16BE(8), count: adu.readUInt16BE(10) };
    let reply: ModbusReply;
    try {
      reply = await handle(req);
    } catch {
      reply = { exception: 4 };
    }
    if ("silent" in reply) return;
    if ("garbage" in reply) return send(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"));
    if ("exception" in reply) return send(frame(txid, unitId, Buffer.from([fc | 0x80, reply.exception])));
    const count = "short" in reply ? Math.max(0, req.count - 1) : req.count;
    send(frame(txid, unitId, pduFor(fc, reply.values, count)));
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
