/**
 * A dgram-module stand-in for net-snmp listeners (Agent, Receiver): binds the given address and
 * port, where port 0 means "any free port" (net-snmp itself would turn 0 into 161/162). The socket
 * is handed back so the caller can learn the port.
 */
import { createSocket, type Socket } from "node:dgram";

export function boundDgram(port: number, address: string) {
  let socket: Socket | undefined;
  const listening = new Promise<number>((resolve, reject) => {
    queueMicrotask(() => {
      if (!socket) return reject(new Error("net-snmp did not open a socket"));
      socket.once("listening", () => resolve(socket!.address().port));
      socket.once("error", reject);
    });
  });
  listening.catch(() => {});
  return {
    dgramModule: {
      createSocket(type: "udp4") {
        const s = createSocket(type);
        const bind = s.bind.bind(s) as (port: number, address: string) => Socket;
        s.bind = (() => bind(port, address)) as unknown as Socket["bind"];
        socket = s;
        return s;
      },
    },
    /** Resolves with the bound port once listening. */
    listening,
  };
}
