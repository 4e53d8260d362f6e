/**
 * The InfluxDB sink against a real server: VictoriaMetrics (Debian package) through its InfluxDB
 * v2 write API. VictoriaMetrics names a series `<measurement>_<field>` and keeps every sample it
 * is sent (no dedup flag here), so the exports below count exactly what arrived.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, startVictoria, tempDir, type Victoria, victoriaMissing } from "../../peers/index.ts";
import { configSchema } from "../../src/config/schema.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { PollOutcome } from "../../src/core/outcome.ts";
import { startDaemon } from "../../src/daemon.ts";
import type { SendResult } from "../../src/outbox/forwarder.ts";
import { SinkMetrics } from "../../src/outbox/metrics.ts";
import { tuneForOutbox } from "../../src/outbox/outbox.ts";
import { influxSinkSchema } from "../../src/sinks/config.ts";
import { InfluxSink, influxTransport } from "../../src/sinks/influx.ts";
import { openStore } from "../../src/store/db.ts";

const log = pino({ level: "silent" });
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function makeSink(url: string, dataDir: string, extra: Record<string, unknown> = {}) {
  const config = influxSinkSchema.parse({
    url,
    batchSize: 500,
    flushInterval: "100ms",
    initialBackoff: "100ms",
    maxBackoff: "1s",
    timeout: "2s",
    ...extra,
  });
  const db = openStore(dataDir);
  tuneForOutbox(db);
  const registry = new Registry();
  const metrics = new SinkMetrics(registry, () => Date.now());
  const devices = new Map<string, { site: string; kind: string }>();
  for (let i = 0; i < 50; i++) devices.set(`dev-${i}`, { site: "vehicle", kind: "satellite-modem" });
  // Records what the server acknowledged, in order, to check delivery order per series.
  const acked: string[] = [];
  const real = influxTransport({
    url,
    org: "",
    bucket: "emcomm",
    precision: "ms",
    gzip: true,
    gzipLevel: config.gzipLevel,
    timeoutMs: config.timeout,
    clock: systemClock,
  });
  const transport = {
    async send(items: readonly string[], signal: AbortSignal): Promise<SendResult> {
      const r = await real.send(items, signal);
      if (r.ok) acked.push(...items);
      return r;
    },
    close: () => real.close(),
  };
  const sink = new InfluxSink({ config, db, clock: systemClock, log, metrics, devices, transport });
  sink.start();
  cleanup.push(async () => {
    await sink.stop(1000);
    db.close();
  });
  return { sink, acked, registry, db };
}

async function untilIdle(sink: InfluxSink, ms: number): Promise<void> {
  await Promise.race([
    sink.forwarder.idle(),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`backlog not drained in ${ms} ms`)), ms)),
  ]);
}

describe.skipIf(victoriaMissing)("InfluxDB sink → VictoriaMetrics", () => {
  let vm: Victoria;

  async function victoria(): Promise<Victoria> {
    const dir = tempDir("vm-");
    vm = await startVictoria(dir.path);
    cleanup.push(async () => {
      await vm.stop();
      dir.remove();
    });
    return vm;
  }

  it("points written through the sink read back with the same count and values", async () => {
    const vm = await victoria();
    const data = tempDir("sink-");
    cleanup.push(() => data.remove());
    const { sink } = makeSink(vm.url, data.path);
    const t0 = Date.now() - 60_000;
    const sent = new Map<string, number>();
    for (let poll = 0; poll < 10; poll++)
      for (let d = 0; d < 50; d++) {
        const outcome: PollOutcome = {
          deviceId: `dev-${d}`,
          trigger: "schedule",
          startedAt: t0 + poll * 1000,
          finishedAt: t0 + poll * 1000 + 20,
          samples: [
            { metric: "modem_ebno_db", value: d + poll / 10 },
            { metric: "modem_rx_level_dbm", value: -60 - d },
            {
              metric: "if_in_bits_per_second",
              value: poll * 1000 + d,
              labels: { ifname: "Gi 1/0/1,x=y 指挥车" },
            },
          ],
        };
        sink.record(outcome);
        sent.set(`dev-${d}@${outcome.startedAt}`, d + poll / 10);
      }
    await untilIdle(sink, 10_000);

    const ebno = await vm.export('{__name__="modem_modem_ebno_db"}');
    expect(ebno).toHaveLength(50);
    let count = 0;
    for (const s of ebno) {
      expect(s.metric).toMatchObject({ site: "vehicle", kind: "satellite-modem" });
      s.timestamps.forEach((t, i) => {
        expect(s.values[i]).toBeCloseTo(sent.get(`${s.metric.device}@${t}`)!, 9);
        count++;
      });
    }
    expect(count).toBe(500);
    const ifs = await vm.export('{__name__="if_if_in_bits_per_second"}');
    expect(ifs).toHaveLength(50);
    // Escaped tag values come back intact through a parser nobody here wrote.
    expect(new Set(ifs.map((s) => s.metric.ifname))).toEqual(new Set(["Gi 1/0/1,x=y 指挥车"]));
    const up = await vm.export('{__name__="poll_up"}');
    expect(up.reduce((n, s) => n + s.values.length, 0)).toBe(500);
  });

  it("server stopped under steady load and restarted: every point arrives once, in order", async () => {
    const vm = await victoria();
    const data = tempDir("sink-");
    cleanup.push(() => data.remove());
    const { sink, acked } = makeSink(vm.url, data.path);
    const sent = new Map<string, number[]>();
    let t = Date.now() - 120_000;
    const load = setInterval(() => {
      t += 10;
      for (let d = 0; d < 10; d++) {
        sink.record({
          deviceId: `dev-${d}`,
          trigger: "schedule",
          startedAt: t,
          finishedAt: t,
          samples: [{ metric: "ups_battery_charge_percent", value: t % 100 }],
        });
        const key = `dev-${d}`;
        sent.set(key, [...(sent.get(key) ?? []), t]);
      }
    }, 20);
    await new Promise((r) => setTimeout(r, 1500));
    await vm.stop();
    await new Promise((r) => setTimeout(r, 5000));
    expect(sink.outbox.backlog().points).toBeGreaterThan(0);
    await vm.restart();
    await new Promise((r) => setTimeout(r, 1500));
    clearInterval(load);
    await untilIdle(sink, 15_000);

    const series = await vm.export('{__name__="ups_ups_battery_charge_percent"}');
    expect(series).toHaveLength(10);
    for (const s of series) {
      const expected = sent.get(s.metric.device!)!;
      expect(s.timestamps.length).toBe(expected.length); // none missing, none twice
      expect(new Set(s.timestamps)).toEqual(new Set(expected));
    }
    // Acknowledged in order per series.
    const perSeries = new Map<string, number[]>();
    for (const line of acked) {
      if (!line.startsWith("ups,")) continue;
      const device = /device=([^,]+)/.exec(line)![1]!;
      const ts = Number(line.slice(line.lastIndexOf(" ") + 1));
      perSeries.set(device, [...(perSeries.get(device) ?? []), ts]);
    }
    for (const ts of perSeries.values()) expect(ts).toEqual([...ts].sort((a, b) => a - b));
  }, 40_000);

  it("the daemon SIGKILLed with a backlog delivers it when restarted", async () => {
    const data = tempDir("daemon-");
    cleanup.push(() => data.remove());
    const tcp = createServer((s) => s.destroy());
    await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise<void>((r) => tcp.close(() => r())));
    const tcpPort = (tcp.address() as { port: number }).port;
    const port = await freePort(); // the server comes later
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/sinks/fixtures/daemon-child.ts", data.path, url, String(tcpPort)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    cleanup.push(() => {
      child.kill("SIGKILL");
    });
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve) => lines.on("line", (l) => l === "outcome 25" && resolve()));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    // What the killed daemon had committed: every poll line in its outbox.
    const db = new Database(join(data.path, "emcomm.db"), { readonly: true });
    const bodies = db.prepare("SELECT body FROM outbox WHERE sink = 'influx'").all() as { body: string }[];
    db.close();
    const committed = bodies
      .flatMap((b) => b.body.split("\n"))
      .filter((l) => l.startsWith("poll,"))
      .map((l) => `${/device=([^,]+)/.exec(l)![1]}@${l.slice(l.lastIndexOf(" ") + 1)}`);
    expect(committed.length).toBeGreaterThanOrEqual(25);

    const dir = tempDir("vm-");
    const vm = await startVictoria(dir.path, port);
    cleanup.push(async () => {
      await vm.stop();
      dir.remove();
    });
    const config = configSchema.parse({
      daemon: { dataDir: data.path, http: { port: 0 }, log: { level: "silent" } },
      sites: [{ id: "vehicle", name: { zh: "指挥车", en: "Command vehicle" } }],
      devices: [],
      sinks: { influx: { url, flushInterval: "100ms" } },
    });
    const daemon = await startDaemon({ config, log, http: false });
    cleanup.push(() => daemon.stop());
    await untilIdle(daemon.sinks.influx!, 15_000);
    // VictoriaMetrics makes the newest seconds searchable with a short delay: look again briefly.
    let missing: string[] = committed;
    for (let i = 0; i < 50 && missing.length > 0; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      const stored = new Set(
        (await vm.export('{__name__="poll_up"}')).flatMap((s) =>
          s.timestamps.map((t) => `${s.metric.device}@${t}`),
        ),
      );
      missing = committed.filter((c) => !stored.has(c));
    }
    expect(missing).toEqual([]);
  }, 40_000);

  it("a process SIGKILLed with a backlog delivers it after restart", async () => {
    const data = tempDir("sink-");
    cleanup.push(() => data.remove());
    const port = await freePort(); // nothing listens yet: the child builds a backlog
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/sinks/fixtures/outbox-child.ts", data.path, url],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    cleanup.push(() => {
      child.kill("SIGKILL");
    });
    let committed = 0;
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve) => {
      lines.on("line", (l) => {
        const m = /^committed (\d+)$/.exec(l);
        if (m) committed = Number(m[1]);
        if (committed >= 300) resolve();
      });
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(committed).toBeGreaterThanOrEqual(300);

    const dir = tempDir("vm-");
    const vm = await startVictoria(dir.path, port);
    cleanup.push(async () => {
      await vm.stop();
      dir.remove();
    });
    const { sink } = makeSink(url, data.path);
    expect(sink.outbox.backlog().points).toBeGreaterThanOrEqual(committed);
    await untilIdle(sink, 15_000);
    const series = await vm.export('{__name__="generator_generator_fuel_percent"}');
    const values = new Set(series.flatMap((s) => s.values));
    // Every entry the child reported committed arrived (a last one may have committed unreported).
    for (let i = 1; i <= committed; i++) expect(values.has(i)).toBe(true);
  }, 40_000);
});
