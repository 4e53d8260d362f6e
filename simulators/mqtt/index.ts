/**
 * mqtt simulator: an embedded MQTT broker (aedes) on loopback that accepts the lab credentials,
 * and a publisher that sends each Beidou box's telemetry (drivers/mqtt/payload.ts) to the box's
 * topic every 5 s at QoS 1, the boxes moving along route.ts. Boxes in the valley go quiet.
 * Faults: `silent` (no reports), `slow` (one report in four), `garbage` (invalid payloads),
 * `low-battery` (12 %), `no-fix`, `rdss-fail`.
 */
import { createServer, type Server, type Socket } from "node:net";
import { Aedes } from "aedes";
import { commonFaults, FaultBook, type SimulatorDefinition } from "../registry.ts";
import { routePoint } from "./route.ts";

export const mqttCredentials = { username: "emcomm", password: "emcomm-demo" } as const;
const REPORT_MS = 5000;
const mqttFaults = [...commonFaults, "low-battery", "no-fix", "rdss-fail"] as const;

export const mqttSimulator: SimulatorDefinition = {
  protocol: "mqtt",
  async start(devices, { clock, log }) {
    const broker = await Aedes.createBroker({
      authenticate: (_client, username, password, done) => {
        const ok = username === mqttCredentials.username && password?.toString() === mqttCredentials.password;
        if (ok) done(null, true);
        else {
          const err = Object.assign(new Error("bad user name or password"), { returnCode: 4 });
          done(err as never, false);
        }
      },
    });
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    const book = new FaultBook(mqttFaults);
    const boxes = devices.filter((d) => typeof d.driver.topic === "string");
    const startedAt = clock.now();
    let tick = 0;
    // The first reports go out a second after start, so subscribers that start with the fleet hear them.
    let timer = clock.setTimer(1000, function publishAll() {
      tick++;
      boxes.forEach((d, i) => {
        const has = (f: string) => book.has(d.id, f);
        const now = clock.now();
        // Spread over the half of the loop before the valley: every box starts in the open and they
        // reach the valley one after another, the first about 1.5 minutes after start.
        const p = routePoint(now - startedAt, (i / boxes.length) * 0.5);
        if (has("silent") || p.shade === 2 || (has("slow") && tick % 4 !== 0)) return;
        const fix = has("no-fix") ? "none" : p.shade === 1 ? "2d" : "3d";
        const hours = (now - startedAt) / 3_600_000;
        const battery = has("low-battery") ? 12 : Math.max(15, Math.round(96 - 6 * i - 8 * hours));
        const rdssOk = !has("rdss-fail") && p.shade === 0;
        const report = has("garbage")
          ? `{"time": ${now}, "fix": "3d", "sats": "many"`
          : JSON.stringify({
              id: d.id,
              time: new Date(now).toISOString(),
              fix,
              position:
                fix === "none"
                  ? null
                  : { lat: p.lat, lon: p.lon, alt: p.alt, speed_kmh: 18, heading: p.heading },
              sats: fix === "none" ? 0 : p.shade === 1 ? 4 : 9 + (i % 4),
              hdop: p.shade === 1 ? 3.8 : 0.9,
              battery,
              rdss: {
                ok: rdssOk,
                beams: rdssOk ? [3, 4, 2, 1, 3, 4, 2, 0, 1, 3] : [0, 1, 0, 0, 1, 0, 0, 0, 0, 0],
              },
              rnss: { ok: true },
            });
        broker.publish(
          {
            cmd: "publish",
            topic: d.driver.topic as string,
            payload: Buffer.from(report),
            qos: 1,
            retain: false,
            dup: false,
          },
          (err) => err && log.debug({ err, device: d.id }, "publish failed"),
        );
      });
      timer = clock.setTimer(REPORT_MS, publishAll);
    });
    return {
      protocol: "mqtt",
      devices: () => boxes.map((d) => d.id),
      endpoint: () => ({
        broker: `mqtt://127.0.0.1:${port}`,
        username: mqttCredentials.username,
        password: mqttCredentials.password,
        reportInterval: `${REPORT_MS / 1000}s`,
      }),
      faults: () => mqttFaults,
      inject: (id, fault) => boxes.some((d) => d.id === id) && book.inject(id, fault),
      clear: (id, fault) => book.clear(id, fault),
      active: (id) => book.list(id),
      async stop() {
        timer.cancel();
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => broker.close(() => resolve()));
      },
    };
  },
};
