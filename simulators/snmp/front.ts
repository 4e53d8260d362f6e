/**
 * The device's public UDP port: relays datagrams to its agent and applies the common faults
 * (silent: drop; slow: answer after 3 s; garbage: answer random bytes). Traps leave from this same
 * port, so a receiver can tell simulated devices apart although they all live on 127.0.0.1.
 */

import type * as dgram from "node:dgram";
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";

export interface Front {
  port: number;
  /** A dgram-module stand-in whose sockets send from this front's port (for net-snmp trap sessions). */
  dgramModule: Pick<typeof dgram, "createSocket">;
  close(): Promise<void>;
}

export async function startFront(
  agentPort: number,
  fault: (name: string) => boolean,
  port = 0,
): Promise<Front> {
  const front = createSocket("udp4");
  const upstreams = new Map<string, Socket>();
  front.on("error", () => {});
  front.on("message", (msg: Buffer, client: RemoteInfo) => {
    if (fault("silent")) return;
    if (fault("garbage")) {
      const junk = Buffer.alloc(24 + Math.floor(Math.random() * 40));
      for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(Math.random() * 256);
      front.send(junk, client.port, client.address);
      return;
    }
    const key = `${client.address}:${client.port}`;
    let up = upstreams.get(key);
    if (!up) {
      const socket = createSocket("udp4");
      socket.on("error", () => {});
      socket.on("message", (reply: Buffer) => {
        const send = () => front.send(reply, client.port, client.address);
        if (fault("slow")) setTimeout(send, 3000).unref();
        else send();
      });
      socket.unref();
      upstreams.set(key, socket);
      up = socket;
    }
    up.send(msg, agentPort, "127.0.0.1");
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.bind(port, "127.0.0.1", () => resolve());
  });
  front.unref();
  const bound = front.address().port;
  const shim = () => ({
    unref() {},
    on() {},
    bind() {},
    close() {},
    send(
      buf: Buffer,
      offset: number,
      length: number,
      port: number,
      address: string,
      cb?: (e: Error | null) => void,
    ) {
      front.send(buf, offset, length, port, address, (err) => cb?.(err ?? null));
    },
  });
  return {
    port: bound,
    dgramModule: { createSocket: shim as unknown as typeof dgram.createSocket },
    async close() {
      for (const s of upstreams.values()) s.close();
      upstreams.clear();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
