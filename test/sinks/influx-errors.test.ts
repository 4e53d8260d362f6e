/**
 * How the InfluxDB sink reacts to the answers InfluxDB 2 gives (400 with its JSON error for a
 * line it cannot parse, 401, 429/503 with Retry-After, a hung request). VictoriaMetrics accepts
 * and silently skips malformed lines (204), so these answers come from a small in-process HTTP
 * server that replies as InfluxDB 2's /api/v2/write documents; the client, gzip and the outbox
 * are the real ones. The testcontainers test runs the same quarantine against influxdb:2.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../peers/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import { SinkMetrics } from "../../src/outbox/metrics.ts";
import { listQuarantine } from "../../src/outbox/outbox.ts";
import { influxSinkSchema } from "../../src/sinks/config.ts";
import {
  classifyWriteError,
  InfluxSink,
  influxTransport,
  joinLines,
  parseRetryAfter,
} from "../../src/sinks/influx.ts";
import { openStore } from "../../src/store/db.ts";

const log = pino({ level: "silent" });
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Request {
  at: number;
  lines: string[];
  gzip: boolean;
  auth?: string;
  query: URLSearchParams;
}

async function stub(
  reply: (req: Request, res: ServerResponse) => void,
): Promise<{ url: string; requests: Request[] }> {
  const requests: Request[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const gzip = req.headers["content-encoding"] === "gzip";
      const body = (gzip ? gunzipSync(raw) : raw).toString("utf8");
      const r: Request = {
        at: Date.now(),
        lines: body.split("\n"),
        gzip,
        auth: req.headers.authorization,
        query: new URL(req.url!, "http://x").searchParams,
      };
      requests.push(r);
      reply(r, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  server.unref();
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests };
}

function sink(url: string, extra: Record<string, unknown> = {}) {
  const data = tempDir("sink-");
  const db = openStore(data.path);
  const registry = new Registry();
  const metrics = new SinkMetrics(registry, () => Date.now());
  const config = influxSinkSchema.parse({
    url,
    org: "noc",
    bucket: "emcomm",
    token: "lab-token",
    batchSize: 1000,
    flushInterval: "50ms",
    initialBackoff: "50ms",
    maxBackoff: "200ms",
    ...extra,
  });
  const s = new InfluxSink({
    config,
    db,
    clock: systemClock,
    log,
    metrics,
    devices: new Map([["d", { site: "s", kind: "ups" }]]),
  });
  s.start();
  cleanup.push(async () => {
    await s.stop(500);
    db.close();
    data.remove();
  });
  const counter = async (name: string, labels: Record<string, string>) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) =>
      Object.entries(labels).every(([k, x]) => v.labels[k] === x),
    )?.value ?? 0;
  return { s, db, counter };
}

const idle = (s: InfluxSink, ms = 10_000) =>
  Promise.race([
    s.forwarder.idle(),
    new Promise((_, reject) => setTimeout(() => reject(new Error("not drained")), ms)),
  ]);

function points(s: InfluxSink, n: number, poison?: number) {
  for (let i = 0; i < n; i++)
    s.write("d", [
      {
        measurement: i === poison ? "ups" : "ups",
        tags: { device: "d" },
        fields:
          i === poison ? { ups_battery_charge_percent: "not a number" } : { ups_battery_charge_percent: i },
        time: 1_700_000_000_000 + i,
      },
    ]);
}

describe("InfluxDB write answers", () => {
  it("sends gzip with token, org, bucket and ms precision", async () => {
    const server = await stub((_r, res) => res.writeHead(204).end());
    const { s } = sink(server.url);
    points(s, 200);
    await idle(s);
    const r = server.requests[0]!;
    expect(r.gzip).toBe(true);
    expect(r.auth).toBe("Token lab-token");
    expect(Object.fromEntries(r.query)).toEqual({ org: "noc", bucket: "emcomm", precision: "ms" });
    expect(server.requests.flatMap((x) => x.lines)).toHaveLength(200);
  });

  it("gzips a small batch on the daemon's thread and a large one in the thread pool, both intact", async () => {
    const server = await stub((_r, res) => res.writeHead(204).end());
    const transport = influxTransport({
      url: server.url,
      org: "noc",
      bucket: "emcomm",
      precision: "ms",
      gzip: true,
      gzipLevel: 1,
      timeoutMs: 5000,
      clock: systemClock,
    });
    cleanup.push(() => transport.close());
    // 2,000 and 10,000 lines of about 100 bytes: 0.2 MB and 1 MB, either side of the 512 KB bound.
    for (const n of [2000, 10_000]) {
      const lines = Array.from(
        { length: n },
        (_, i) =>
          `ups,device=d${i % 97},site=s ups_battery_charge_percent=${i},ups_load=${i / 7} ${1e12 + i}`,
      );
      const result = await transport.send(lines, new AbortController().signal);
      expect(result.ok).toBe(true);
      const r = server.requests.at(-1)!;
      expect(r.gzip).toBe(true);
      expect(r.lines).toEqual(lines);
    }
  });

  it("a line rejected with 400 is quarantined with the server's reason; the rest is written", async () => {
    // InfluxDB 2 answers a batch with a bad line with 400 and writes nothing of it here.
    const stored: string[] = [];
    const server = await stub((r, res) => {
      const bad = r.lines.find((l) => l.includes('"not a number"'));
      if (bad) {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            code: "invalid",
            message: `partial write error (1 written): field type conflict: input field "ups_battery_charge_percent" on measurement "ups" is type string, already exists as type float`,
          }),
        );
        return;
      }
      stored.push(...r.lines);
      res.writeHead(204).end();
    });
    const { s, db, counter } = sink(server.url);
    points(s, 100, 37);
    await idle(s);
    expect(stored).toHaveLength(99);
    expect(new Set(stored).size).toBe(99);
    const q = listQuarantine(db, "influx");
    expect(q).toHaveLength(1);
    expect(q[0]!.status).toBe(400);
    expect(q[0]!.body).toContain('"not a number"');
    expect(q[0]!.reason).toContain("field type conflict");
    expect(
      await counter("emcomm_outbox_dropped_points_total", { sink: "influx", reason: "quarantined" }),
    ).toBe(1);
    expect(await counter("emcomm_sink_points_written_total", { sink: "influx" })).toBe(99);
  });

  it("503 with Retry-After waits as told, then delivers", async () => {
    let calls = 0;
    const server = await stub((_r, res) => {
      calls++;
      if (calls === 1) res.writeHead(503, { "retry-after": "1" }).end("busy");
      else res.writeHead(204).end();
    });
    const { s, counter } = sink(server.url);
    points(s, 5);
    await idle(s);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(await counter("emcomm_sink_write_errors_total", { kind: "server" })).toBe(1);
  });

  it("401 is retried, never quarantined (it needs an operator, not a drop)", async () => {
    let calls = 0;
    const server = await stub((_r, res) => {
      calls++;
      if (calls <= 3)
        res.writeHead(401, { "content-type": "application/json" }).end('{"code":"unauthorized"}');
      else res.writeHead(204).end();
    });
    const { s, db, counter } = sink(server.url);
    points(s, 3);
    await idle(s);
    expect(listQuarantine(db)).toHaveLength(0);
    expect(await counter("emcomm_sink_write_errors_total", { kind: "auth" })).toBe(3);
    expect(server.requests.at(-1)!.lines).toHaveLength(3);
  });

  it("a request that hangs times out and is retried", async () => {
    let calls = 0;
    const server = await stub((_r, res) => {
      calls++;
      if (calls === 1) return; // never answers
      res.writeHead(204).end();
    });
    const { s, counter } = sink(server.url, { timeout: "300ms" });
    points(s, 3);
    await idle(s);
    expect(await counter("emcomm_sink_write_errors_total", { kind: "timeout" })).toBe(1);
  });

  it("reports the bytes it put on the wire (gzip), which the drain bandwidth cap is charged", async () => {
    const server = await stub((_r, res) => res.writeHead(204).end());
    const lines = Array.from(
      { length: 500 },
      (_, i) =>
        `ups,device=d${i % 7},site=s ups_battery_charge_percent=${Math.sin(i) * 100},ups_load=${(i * 7919) % 1000} ${i}`,
    );
    const raw = Buffer.byteLength(lines.join("\n"));
    const wire: Record<string, number> = {};
    for (const [gzip, gzipLevel] of [
      [true, 1],
      [true, 9],
      [false, 1],
    ] as const) {
      const t = influxTransport({
        url: server.url,
        org: "",
        bucket: "emcomm",
        precision: "ms",
        gzip,
        gzipLevel,
        timeoutMs: 2000,
        clock: systemClock,
      });
      const r = await t.send(lines, new AbortController().signal);
      t.close();
      expect(r.ok).toBe(true);
      wire[gzip ? `gzip ${gzipLevel}` : "plain"] = r.bytes;
    }
    expect(wire["gzip 1"]).toBeLessThan(raw / 3);
    // a higher level costs more CPU for a smaller body
    expect(wire["gzip 9"]).toBeLessThan(wire["gzip 1"]!);
    expect(wire.plain).toBeGreaterThan(raw); // body plus request headers
    const bodies = server.requests.map((r) => r.lines);
    expect(bodies).toEqual([lines, lines, lines]);
  });

  it("joins a batch's lines as UTF-8 bytes, names outside ASCII included", () => {
    const lines = ["poll,device=a up=1i 1", "poll,device=卫星车\\ 通信 up=0i 2", "x,t=é y=1 3"];
    expect(joinLines(lines).equals(Buffer.from(lines.join("\n")))).toBe(true);
    expect(joinLines([]).length).toBe(0);
  });

  it("classifies errors and parses Retry-After", () => {
    expect(parseRetryAfter("30", 0)).toBe(30_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(10_000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(classifyWriteError(refused, 0, 0)).toMatchObject({ retryable: true, kind: "unreachable" });
    expect(classifyWriteError(new Error("?"), 0, 0)).toMatchObject({ retryable: true, kind: "other" });
  });
});
