/**
 * The daemon: builds every device's driver from the registry, polls the polled ones with the
 * Scheduler, starts the streamed ones, fans outcomes out through the Pipeline to the status board
 * and the metrics (and, as they are added, health, tickets and sinks), and serves HTTP.
 * `startDaemon` is what `emcomm run` and `emcomm demo` call; tests call it too, with a FakeClock.
 */
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import type { Logger } from "pino";
import { type DriverService, startDriverServices } from "../drivers/index.ts";
import { forwardSlaEvents } from "./api/events.ts";
import { reportAccess } from "./api/http.ts";
import { type Sla, startSla } from "./api/index.ts";
import { buildDriver } from "./build-driver.ts";
import { type Config, pollTimeoutMs } from "./config/schema.ts";
import { type Clock, systemClock, type TimerHandle } from "./core/clock.ts";
import { descriptorShortfall } from "./core/descriptors.ts";
import { asPollError } from "./core/errors.ts";
import { LocalFaults } from "./core/local-faults.ts";
import { LoopStalls } from "./core/loop-stalls.ts";
import { createSharedResources } from "./core/resources.ts";
import type { Driver, MetricSpec, StreamedDriver } from "./core/types.ts";
import { startConsole } from "./duty-console/index.ts";
import { buildHttp } from "./http/server.ts";
import { recordHeartbeat, recordRunStart as recordRun, recordRunStop } from "./ledger/store.ts";
import { DaemonMetrics } from "./metrics.ts";
import { Pipeline } from "./pipeline.ts";
import { startRecords } from "./records/index.ts";
import { startReports } from "./report/wire.ts";
import { Scheduler } from "./scheduler.ts";
import { type EventSink, type Sinks, startSinks } from "./sinks/index.ts";
import { StatusBoard } from "./status.ts";
import { type Db, openStore } from "./store/db.ts";
import { StoreWriter } from "./store/writer.ts";
import { VERSION } from "./version.ts";

export interface DaemonOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** Listen for HTTP (default true). Tests that drive the pipeline directly may skip it. */
  http?: boolean;
  /** Extra HTTP routes (tickets, reports, console). */
  routes?: readonly FastifyPluginAsync[];
}

export interface Daemon {
  config: Config;
  db: Db;
  pipeline: Pipeline;
  scheduler: Scheduler;
  status: StatusBoard;
  metrics: DaemonMetrics;
  drivers: ReadonlyMap<string, Driver>;
  /** Health states, availability ledger and tickets (src/api). */
  sla: Sla;
  /** InfluxDB/MQTT sinks behind the outbox. */
  sinks: Sinks;
  /** Publish state changes, ticket events and SLA warnings to the sinks (see src/sinks/index.ts). */
  events: EventSink;
  http?: FastifyInstance;
  /** The drivers' services, by protocol (the SNMP trap receiver when daemon.traps.enabled). */
  services: ReadonlyMap<string, DriverService>;
  /** The SNMP trap receiver, when daemon.traps.enabled (services.get("snmp")). */
  snmpTraps?: DriverService;
  /** "http://127.0.0.1:9464" when listening. */
  url?: string;
  stop(): Promise<void>;
}

const HEARTBEAT_MS = 30_000;

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  // SNMP devices hold sockets: refuse to start a fleet the open-file limit cannot hold.
  const shortfall = descriptorShortfall(config.devices.filter((d) => d.driver.protocol === "snmp").length);
  if (shortfall) throw new Error(`cannot start: ${shortfall}`);
  const db = openStore(config.daemon.dataDir);
  const runId = recordRunStart(db, clock, config);
  const resources = createSharedResources();
  const ctx = { clock, log: log.child({ component: "driver" }), resources };

  const drivers = new Map<string, Driver>();
  const specs = new Map<string, MetricSpec>();
  for (const device of config.devices) {
    const driver = buildDriver(device, ctx);
    drivers.set(device.id, driver);
    for (const spec of driver.metrics) specs.set(spec.name, spec);
  }

  const status = new StatusBoard(config.devices.map((d) => d.id));
  const metrics = new DaemonMetrics(
    config.devices.map((d) => ({ ...d, polled: drivers.get(d.id)?.shape !== "manual" })),
    specs,
    status,
  );
  const kinds = new Map(config.devices.map((d) => [d.id, d.kind]));
  const pipeline = new Pipeline(log);
  pipeline.subscribe("status", (o) => status.record(o));
  pipeline.subscribe("metrics", (o) => metrics.record(o, kinds.get(o.deviceId) ?? ""));
  pipeline.subscribe("log", logTransitions(log, status));
  const localFaults = new LocalFaults({ clock, log, registry: metrics.registry });
  pipeline.subscribe("local-faults", (o) => o.error && localFaults.record(o.error, o.deviceId));
  // Every write of the daemon goes through `db`, its one connection; writes that must not be lost
  // wait in `writer` while the store cannot write.
  const writer = new StoreWriter({
    clock,
    log: log.child({ component: "store" }),
    registry: metrics.registry,
    probe: () =>
      db
        .prepare("UPDATE daemon_runs SET heartbeat_at = max(heartbeat_at, ?) WHERE id = ?")
        .run(clock.now(), runId),
  });
  const sla = startSla({
    config,
    db,
    clock,
    log,
    drivers,
    registry: metrics.registry,
    writer,
    resume: false,
  });
  pipeline.subscribe("health", (o) => sla.observe(o));
  const sinks = startSinks({
    config: config.sinks,
    db,
    clock,
    log,
    registry: metrics.registry,
    devices: new Map(config.devices.map((d) => [d.id, { site: d.site, kind: d.kind }])),
  });
  pipeline.subscribe("sinks", (o) => sinks.record(o));
  forwardSlaEvents(sla, sinks.events, () => clock.now());
  // The duty console: page, live event stream and its small reads.
  const dutyConsole = startConsole({ config, db, clock, log });
  sla.tickets.onEvent(() => dutyConsole.poke());
  sla.health.onTransition(() => dutyConsole.poke());
  // Every listener is attached: the restart's unmonitored gap and the return reach them all.
  sla.resume();

  // Stalls of the event loop are real time: a test's fake clock never stalls.
  const stalls = clock === systemClock ? new LoopStalls(clock) : undefined;
  stalls?.start();
  const scheduler = new Scheduler({
    clock,
    ...(stalls ? { stalls } : {}),
    log: log.child({ component: "scheduler" }),
    maxConcurrency: config.daemon.scheduler.maxConcurrency,
    jitter: config.daemon.scheduler.jitter,
    onOutcome: (o) => pipeline.publish(o),
    onSkip: (id) => metrics.recordSkip(id),
  });
  const streamed: { id: string; driver: StreamedDriver }[] = [];
  for (const device of config.devices) {
    const driver = drivers.get(device.id)!;
    if (driver.shape === "polled")
      scheduler.add({ id: device.id, intervalMs: device.interval, timeoutMs: pollTimeoutMs(device), driver });
    else if (driver.shape === "streamed") streamed.push({ id: device.id, driver });
  }
  scheduler.start();
  // Drivers' services (the SNMP trap receiver) only speed fault detection up: one that cannot
  // start is logged, polling goes on.
  const services = await startDriverServices({
    config,
    clock,
    log,
    registry: metrics.registry,
    requestPoll: (id) => scheduler.requestPoll(id),
  });
  const snmpTraps = services.get("snmp");
  for (const { id, driver } of streamed) {
    driver
      .start({
        samples: (samples, at = clock.now()) =>
          pipeline.publish({ deviceId: id, trigger: "stream", startedAt: at, finishedAt: at, samples }),
        error: (err, at = clock.now(), counters = []) =>
          pipeline.publish({
            deviceId: id,
            trigger: "stream",
            startedAt: at,
            finishedAt: at,
            samples: counters,
            error: asPollError(err, id),
          }),
      })
      .catch((err) => log.error({ err, device: id }, "streamed driver failed to start"));
  }

  // Monthly score sheet over the ledger and tickets: API routes and the schedule. Supervisors' tokens
  // enter manual inputs and freeze; reads follow the SLA API's rule.
  // Maintenance records (inspections, drills, call-backs, the bureau's register): the sheet counts them.
  const records = startRecords({ config, db, clock, log, status, tickets: sla.tickets });
  const access = reportAccess(config, log);
  const reports = startReports({
    config,
    db,
    clock,
    log,
    ...access,
    records: records.figures,
    recordReports: records.writeReports,
  });

  let heartbeat: TimerHandle | undefined;
  const beat = () => {
    const at = clock.now();
    writer.write("heartbeat", () => recordHeartbeat(db, runId, at));
    heartbeat = clock.setTimer(HEARTBEAT_MS, beat);
  };
  heartbeat = clock.setTimer(HEARTBEAT_MS, beat);

  let stopping = false;
  const daemon: Daemon = {
    config,
    db,
    pipeline,
    scheduler,
    status,
    metrics,
    drivers,
    sla,
    services,
    snmpTraps,
    sinks,
    events: sinks.events,
    async stop() {
      if (stopping) return;
      stopping = true;
      heartbeat?.cancel();
      await daemon.http?.close();
      await Promise.allSettled([...services.values()].map((s) => s.stop()));
      await scheduler.stop(config.daemon.shutdownGrace);
      stalls?.stop();
      sla.stop();
      dutyConsole.stop();
      await Promise.allSettled([
        ...streamed.map((s) => s.driver.stop()),
        ...[...drivers.values()].map((d) => (d.shape === "polled" ? d.close() : undefined)),
      ]);
      await resources.closeAll();
      await reports.stop();
      await sinks.stop(config.daemon.shutdownGrace);
      writer.write("stop", () => recordRunStop(db, runId, clock.now()));
      writer.stop();
      db.close();
      log.info("daemon stopped");
    },
  };

  if (options.http !== false) {
    const http = await buildHttp({
      config,
      status,
      metrics,
      log,
      healthy: () => !stopping && db.open,
      canRead: access.canRead,
      problem: () => writer.problem ?? sinks.problem(),
      degraded: () => localFaults.problem,
      onStorageError: (err) => writer.failed("api", err),
      routes: [
        sla.routes,
        ...dutyConsole.routes,
        ...(options.routes ?? []),
        ...reports.routes,
        ...records.routes,
        sinks.routes,
      ],
    });
    const address = await http.listen({ host: config.daemon.http.host, port: config.daemon.http.port });
    daemon.http = http;
    daemon.url = address.replace("[::1]", "127.0.0.1");
    log.info({ url: daemon.url, devices: config.devices.length }, "daemon listening");
  }
  return daemon;
}

function recordRunStart(db: Db, clock: Clock, config: Config): number {
  const digest = createHash("sha256").update(JSON.stringify(config)).digest("hex");
  return recordRun(db, clock.now(), VERSION, digest);
}

/** Logs at info only when a device changes between up and down; each poll at debug. */
function logTransitions(log: Logger, status: StatusBoard) {
  const previous = new Map<string, boolean>();
  return (o: import("./core/outcome.ts").PollOutcome) => {
    if (o.error?.kind === "local") return; // the monitor's fault, logged once per cause (LocalFaults)
    const up = !o.error;
    const was = previous.get(o.deviceId);
    previous.set(o.deviceId, up);
    const s = status.get(o.deviceId);
    if (o.error) log.debug({ device: o.deviceId, kind: o.error.kind, err: o.error.message }, "poll failed");
    else log.debug({ device: o.deviceId, samples: o.samples.length, ms: s?.lastDurationMs }, "poll ok");
    if (was === up) return;
    if (up)
      log.info({ device: o.deviceId }, was === undefined ? "device answering" : "device answering again");
    else
      log.warn({ device: o.deviceId, kind: o.error?.kind, reason: o.error?.message }, "device not answering");
  };
}
