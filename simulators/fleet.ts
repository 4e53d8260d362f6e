/**
 * Starts a simulator for every protocol of the inventory and returns the inventory pointed at
 * them: the demo, the end-to-end tests and the scenario engine run the daemon against this.
 * Devices whose protocol has no simulator keep their configured address.
 */
import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import type { Clock } from "../src/core/clock.ts";
import { simulators } from "./index.ts";
import type { RunningSimulator, SimulatedDevice } from "./registry.ts";

type RawConfig = {
  devices?: { id: string; kind: string; site: string; driver: Record<string, unknown> }[];
} & Record<string, unknown>;

export interface Fleet {
  /** The raw config with every simulated device's driver block pointed at its simulator. */
  config: RawConfig;
  simulators: readonly RunningSimulator[];
  /** Device ids served by a simulator. */
  served(): string[];
  inject(deviceId: string, fault: string): boolean;
  clear(deviceId: string, fault?: string): boolean;
  faults(deviceId: string): { available: readonly string[]; active: string[] } | undefined;
  stop(): Promise<void>;
}

export async function startFleet(raw: RawConfig, env: { clock: Clock; log: Logger }): Promise<Fleet> {
  const devices = (raw.devices ?? []) as SimulatedDevice[];
  const running: RunningSimulator[] = [];
  for (const def of simulators) {
    const mine = devices.filter((d) => d.driver.protocol === def.protocol);
    if (mine.length === 0) continue;
    running.push(
      await def.start(mine, { clock: env.clock, log: env.log.child({ simulator: def.protocol }) }),
    );
  }
  const owner = new Map<string, RunningSimulator>();
  for (const sim of running) for (const id of sim.devices()) owner.set(id, sim);

  const config: RawConfig = {
    ...raw,
    devices: (raw.devices ?? []).map((d) => {
      const sim = owner.get(d.id);
      return sim ? { ...d, driver: { ...d.driver, ...sim.endpoint(d.id) } } : d;
    }),
  };
  return {
    config,
    simulators: running,
    served: () => [...owner.keys()],
    inject: (id, fault) => owner.get(id)?.inject(id, fault) ?? false,
    clear(id, fault) {
      const sim = owner.get(id);
      sim?.clear(id, fault);
      return sim !== undefined;
    },
    faults(id) {
      const sim = owner.get(id);
      return sim ? { available: sim.faults(), active: sim.active(id) } : undefined;
    },
    async stop() {
      await Promise.allSettled(running.map((s) => s.stop()));
    },
  };
}

/**
 * The fleet's control surface over HTTP, on loopback:
 *   GET    /faults                     every served device with its available and active faults
 *   POST   /faults/:device/:fault      inject
 *   DELETE /faults/:device[/:fault]    clear one or all
 */
export async function serveFleetControl(fleet: Fleet, port = 0): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const parts = (req.url ?? "/").split("?")[0]!.split("/").filter(Boolean).map(decodeURIComponent);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (parts[0] !== "faults") return send(404, { error: "not found" });
    const [, device, fault] = parts;
    if (req.method === "GET" && !device)
      return send(200, Object.fromEntries(fleet.served().map((id) => [id, fleet.faults(id)])));
    if (!device) return send(400, { error: "name a device: /faults/:device/:fault" });
    if (req.method === "POST" && fault)
      return fleet.inject(device, fault)
        ? send(200, { device, active: fleet.faults(device)?.active })
        : send(400, {
            error: `cannot inject ${fault} on ${device}`,
            available: fleet.faults(device)?.available ?? [],
          });
    if (req.method === "DELETE")
      return fleet.clear(device, fault)
        ? send(200, { device, active: fleet.faults(device)?.active })
        : send(404, { error: `no simulated device ${device}` });
    return send(405, { error: "use GET, POST or DELETE" });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  return { url: `http://127.0.0.1:${bound}`, server };
}
