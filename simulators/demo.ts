/**
 * `emcomm demo`: the whole inventory on simulators, the daemon against them, the embedded SQLite
 * store, no external server. What `npm start` runs; src/cli.ts loads this file only for `demo`.
 */
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import { parse } from "yaml";
import { validateConfig } from "../src/config/load.ts";
import { systemClock } from "../src/core/clock.ts";
import { type Daemon, startDaemon } from "../src/daemon.ts";
import { type Fleet, serveFleetControl, startFleet } from "./fleet.ts";
import { startScenario } from "./scenario.ts";
import type { SnmpSimulator } from "./snmp/index.ts";

export interface DemoOptions {
  configFile: string;
  port: number;
  /** Address the daemon listens on; loopback unless a container needs it reachable (docker-compose). */
  host?: string;
  dataDir: string;
  log: Logger;
  /** Run the fault scenario (default true); tests that inject their own faults turn it off. */
  scenario?: boolean;
  /**
   * Declare the sites that are only in service while deployed (the command vehicle, the Ka station,
   * the mesh kit, the Beidou terminals) deployed at start, as on an exercise day (default true);
   * otherwise their equipment shows as not in service, as it would parked in the garage.
   */
  deploy?: boolean;
}

export interface Demo {
  daemon: Daemon;
  fleet: Fleet;
  controlUrl: string;
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const { log } = options;
  const raw = parse(readFileSync(options.configFile, "utf8"));
  raw.daemon = {
    ...raw.daemon,
    dataDir: options.dataDir,
    http: { host: options.host ?? "127.0.0.1", port: options.port },
    traps: { enabled: true, host: "127.0.0.1", port: 0 },
  };
  // The simulators accept these lab credentials; real deployments set their own.
  process.env.EMCOMM_SNMP_COMMUNITY ??= "public";
  process.env.EMCOMM_MQTT_PASSWORD ??= "emcomm-demo";
  // Demo API tokens (engineer, supervisor, viewer) for `emcomm tickets ...` with EMCOMM_TOKEN.
  process.env.EMCOMM_TOKEN_ENGINEER ??= "demo-engineer";
  process.env.EMCOMM_TOKEN_SUPERVISOR ??= "demo-supervisor";
  process.env.EMCOMM_TOKEN_VIEWER ??= "demo-viewer";
  const fleet = await startFleet(raw, { clock: systemClock, log });
  const control = await serveFleetControl(fleet, options.port === 0 ? 0 : options.port + 1);
  const config = validateConfig(fleet.config, `${options.configFile} (demo)`);
  const daemon = await startDaemon({ config, log });
  // Simulated SNMP devices send their traps to the daemon's receiver.
  const snmpSim = fleet.simulators.find((s) => s.protocol === "snmp") as SnmpSimulator | undefined;
  if (daemon.snmpTraps?.port !== undefined) snmpSim?.setTrapTarget({ port: daemon.snmpTraps.port });
  if (options.deploy !== false)
    for (const site of config.sites.filter((s) => s.calendar === "deployed"))
      daemon.sla.health.declareSite(site.id, true, "demo", "demo: deployed for an exercise");
  // Faults every few minutes on simulated devices of always-in-service sites: tickets open and clear.
  const inService = new Set(config.sites.filter((s) => s.calendar === "always").map((s) => s.id));
  const targets =
    options.scenario === false
      ? []
      : config.devices.filter((d) => inService.has(d.site) && fleet.served().includes(d.id)).map((d) => d.id);
  const scenario = startScenario(
    fleet,
    { clock: systemClock, log: log.child({ component: "scenario" }) },
    // The first fault a minute after start, once every simulated device has answered.
    { targets, firstMs: 60_000 },
  );
  return {
    daemon,
    fleet,
    controlUrl: control.url,
    async stop() {
      scenario.stop();
      await daemon.stop();
      await fleet.stop();
      await new Promise<void>((resolve) => control.server.close(() => resolve()));
    },
  };
}

export function demoBanner(demo: Demo): string {
  const url = demo.daemon.url ?? "";
  const served = demo.fleet.served().length;
  const total = demo.daemon.config.devices.length;
  return [
    "",
    "emcomm-monitor demo: the contract's inventory on simulators",
    `  ${served} of ${total} devices simulated; the other ${total - served} have no management interface and are tracked by hand`,
    `  console      ${url}/   (sign in with demo-engineer, demo-supervisor or demo-viewer)`,
    `  metrics      ${url}/metrics`,
    `  devices      ${url}/api/v1/devices`,
    `  health       ${url}/healthz`,
    `  states       ${url}/api/v1/states      tickets ${url}/api/v1/tickets   (a fault is injected every 4 min)`,
    `  faults       ${demo.controlUrl}/faults   (POST /faults/<device>/<fault> to inject, DELETE to clear)`,
    "  Ctrl-C stops everything.",
    "",
  ].join("\n");
}
