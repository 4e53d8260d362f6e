/**
 * tcp simulator: one loopback listener per device that accepts and closes connections.
 * Faults: `silent` (stops listening: connection refused), `slow` (accepts after 3 s),
 * `garbage` (accepts and writes junk, which a port check still counts as up).
 */
import { createServer, type Server, type Socket } from "node:net";
import { commonFaults, FaultBook, type SimulatorDefinition } from "../registry.ts";

export const tcpSimulator: SimulatorDefinition = {
  protocol: "tcp",
  async start(devices) {
    const book = new FaultBook(commonFaults);
    const servers = new Map<string, { server: Server; port: number; sockets: Set<Socket> }>();

    const listen = async (id: string, port = 0) => {
      const sockets = new Set<Socket>();
      const server = createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => {});
        if (book.has(id, "garbage")) socket.end(Buffer.from([0xff, 0x00, 0x13, 0x37]));
        else if (book.has(id, "slow")) setTimeout(() => socket.end(), 3000).unref();
        else socket.end();
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
      });
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      servers.set(id, { server, port: bound, sockets });
      return bound;
    };
    const close = (id: string) =>
      new Promise<void>((resolve) => {
        const entry = servers.get(id);
        if (!entry) return resolve();
        for (const s of entry.sockets) s.destroy();
        entry.server.close(() => resolve());
      });

    const ports = new Map<string, number>();
    for (const d of devices) ports.set(d.id, await listen(d.id));

    return {
      protocol: "tcp",
      devices: () => [...ports.keys()],
      endpoint: (id) => ({ host: "127.0.0.1", port: ports.get(id) }),
      faults: () => commonFaults,
      inject(id, fault) {
        if (!ports.has(id) || !book.inject(id, fault)) return false;
        if (fault === "silent") void close(id);
        return true;
      },
      clear(id, fault) {
        const wasSilent = book.has(id, "silent");
        book.clear(id, fault);
        if (wasSilent && !book.has(id, "silent")) void listen(id, ports.get(id));
      },
      active: (id) => book.list(id),
      async stop() {
        await Promise.all([...servers.keys()].map(close));
      },
    };
  },
};
