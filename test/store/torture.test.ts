/**
 * Torture: a daemon in a child process polls 20 Modbus devices (a pymodbus server) every second,
 * writes to VictoriaMetrics through its InfluxDB sink, while tickets are opened, commented,
 * accepted and cleared every 200 ms, /healthz is probed every 100 ms, event-stream clients are
 * attached, a monthly report is computed, and VictoriaMetrics is down for 30 s. Then: no
 * SQLITE_BUSY, every poll the daemon counted is stored once, every ticket event is stored,
 * /healthz p99 under 100 ms and poll start lateness p99 under 500 ms.
 * EMCOMM_TORTURE_SECONDS sets the length (default 120; the outage starts at a quarter of it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  freePort,
  missing,
  PYMODBUS_SERVER,
  startPeer,
  startVictoria,
  type Victoria,
  victoriaMissing,
  waitForPort,
} from "../../peers/index.ts";
import { openStore } from "../../src/store/db.ts";
import { type DaemonChild, startDaemonChild, until, writeChildConfig } from "../support/daemon-child.ts";

const SECONDS = Number(process.env.EMCOMM_TORTURE_SECONDS ?? 120);
const DEVICES = 20;
const pymodbus = missing("/usr/bin/python3", "/usr/lib/python3/dist-packages/pymodbus/__init__.py");
const why = victoriaMissing ?? pymodbus;
const TOKEN = "torture-engineer";
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(why !== undefined)(`torture${why ? ` (skipped: ${why})` : ""}`, () => {
  const dir = mkdtempSync(join(tmpdir(), "emcomm-torture-"));
  let daemon: DaemonChild | undefined;
  let vm: Victoria | undefined;
  let modbus: ReturnType<typeof startPeer> | undefined;
  const streams: AbortController[] = [];
  afterAll(async () => {
    for (const s of streams) s.abort();
    await daemon?.stop();
    await vm?.stop();
    await modbus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `${DEVICES} Modbus devices at 1 s, sink to VictoriaMetrics with an outage, tickets every 200 ms, for ${SECONDS} s`,
    async () => {
      const modbusPort = await freePort();
      modbus = startPeer("/usr/bin/python3", [PYMODBUS_SERVER, String(modbusPort)]);
      await waitForPort(modbusPort);
      vm = await startVictoria(join(dir, "vm"));
      const configFile = writeChildConfig(dir, {
        daemon: {
          scheduler: { jitter: 0 },
        },
        sites: [{ id: "power", name: { zh: "电源", en: "Power" } }],
        devices: Array.from({ length: DEVICES }, (_, i) => ({
          id: `gen-${i}`,
          name: { zh: `发电机${i}`, en: `generator ${i}` },
          site: "power",
          system: "power",
          kind: "generator",
          vendor: "DSE",
          model: "sim",
          interval: "1s",
          driver: {
            protocol: "modbus",
            profile: "dse-generator",
            host: "127.0.0.1",
            port: modbusPort,
            unitId: 1,
          },
        })),
        sla: { api: { tokens: [{ name: "torture", role: "engineer", token: "${EMCOMM_TORTURE_TOKEN}" }] } },
        sinks: { influx: { url: vm.url, flushInterval: "1s", initialBackoff: "1s", maxBackoff: "5s" } },
      });
      daemon = await startDaemonChild(configFile, { EMCOMM_CHILD_LOG: "warn", EMCOMM_TORTURE_TOKEN: TOKEN });
      const url = daemon.url;
      const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
      const counted = async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        let n = 0;
        for (const m of text.matchAll(/^emcomm_poll_duration_seconds_count\{[^}]*\} (\d+)/gm))
          n += Number(m[1]);
        return n;
      };
      await until("first polls", async () => ((await counted()) >= DEVICES ? true : undefined), 20_000);

      const started = Date.now();
      const end = started + SECONDS * 1000;
      // Event-stream clients, attached for the whole run.
      for (let i = 0; i < 3; i++) {
        const c = new AbortController();
        streams.push(c);
        void fetch(`${url}/api/v1/events`, { headers: auth, signal: c.signal })
          .then(async (r) => {
            for await (const _ of r.body!) if (c.signal.aborted) break;
          })
          .catch(() => undefined);
      }
      // /healthz every 100 ms.
      const health: number[] = [];
      let firstFailure: string | undefined;
      const healthFailures: number[] = [];
      const probing = (async () => {
        while (Date.now() < end) {
          const t = performance.now();
          const r = await fetch(`${url}/healthz`).catch(() => undefined);
          const text = await r?.text();
          if (r?.status === 200) health.push(performance.now() - t);
          else {
            healthFailures.push(r?.status ?? 0);
            firstFailure ??= text;
          }
          await sleep(100);
        }
      })();
      // Ticket actions every 200 ms: open, comment, accept, clear, again and again.
      const done: Record<string, number> = {};
      const ticketing = (async () => {
        let id: number | undefined;
        let step = 0;
        while (Date.now() < end) {
          const s = step++ % 4;
          const r =
            s === 0
              ? await fetch(`${url}/api/v1/tickets`, {
                  method: "POST",
                  headers: auth,
                  body: JSON.stringify({ level: "consult", symptom: `torture ${step}` }),
                })
              : await fetch(`${url}/api/v1/tickets/${id}/${["comment", "accept", "clear"][s - 1]}`, {
                  method: "POST",
                  headers: auth,
                  body: JSON.stringify(
                    s === 3
                      ? { cause: "test", handling: "none needed", responsibility: "contractor" }
                      : s === 1
                        ? { note: `note ${step}` }
                        : {},
                  ),
                });
          const body = (await r.json()) as { id?: number; error?: string };
          expect(r.status, JSON.stringify(body)).toBeLessThan(300);
          if (s === 0) id = body.id;
          const event = ["opened", "commented", "accepted", "cleared"][s]!;
          done[event] = (done[event] ?? 0) + 1;
          await sleep(200);
        }
      })();
      // The monthly report, once, a little into the run.
      const reporting = (async () => {
        await sleep(5_000);
        const month = new Date().toISOString().slice(0, 7);
        const r = await fetch(`${url}/api/v1/reports/${month}.json`, { headers: auth });
        expect(r.status).toBe(200);
        await r.text();
      })();
      // VictoriaMetrics down for 30 s.
      await sleep(Math.max(1000, (SECONDS * 1000) / 4));
      await vm.stop();
      await sleep(30_000);
      await vm.restart();
      await Promise.all([probing, ticketing, reporting]);

      // Count first, then take the instant: every counted poll finished (and is stamped) before it.
      const polls = await counted();
      const countedAt = Date.now();
      // Polling goes on: delivered up to the count once the oldest undelivered entry is newer.
      await until(
        "the outbox delivered everything before the count",
        async () => {
          const o = (await (await fetch(`${url}/api/v1/outbox`)).json()) as {
            sinks: { oldest: string | null }[];
          };
          const oldest = o.sinks[0]!.oldest;
          return oldest === null || Date.parse(oldest) >= countedAt ? true : undefined;
        },
        60_000,
      );
      // VictoriaMetrics makes what it took searchable within a few seconds: read until it shows the
      // count, or for 20 s (then the assertions below say what is missing).
      let stamps: number[][] = [];
      let stored = 0;
      for (const readUntil = Date.now() + 20_000; ; ) {
        const series = await vm.export('{__name__="poll_up"}');
        stamps = series.map((s) => s.timestamps.filter((t) => t < countedAt).sort((a, b) => a - b));
        stored = stamps.reduce((n, t) => n + t.length, 0);
        if (stored >= polls || Date.now() > readUntil) break;
        await sleep(500);
      }
      // Each poll once (VictoriaMetrics keeps one sample per series and time); at most the polls in
      // flight when the count was read may be stored and not yet counted.
      expect(stored).toBeGreaterThanOrEqual(polls);
      expect(stored).toBeLessThanOrEqual(polls + DEVICES);
      // Poll start lateness: a poll due every 1000 ms starts that long after the one before.
      const lateness = stamps.flatMap((t) => t.slice(1).map((x, i) => x - t[i]! - 1000));
      const healthP99 = p99(health);
      const latenessP99 = p99(lateness);
      const log = daemon.stderr();
      await daemon.stop();
      daemon = undefined;
      expect(log).not.toMatch(/SQLITE_BUSY|database is locked|commit failed/);
      console.log(
        JSON.stringify({
          seconds: SECONDS,
          polls,
          stored,
          tickets: done,
          healthP99,
          latenessP99,
          healthFailures: healthFailures.length,
        }),
      );
      expect(healthFailures, firstFailure).toEqual([]);
      expect(healthP99).toBeLessThan(100);
      expect(latenessP99).toBeLessThan(500);

      const db = openStore(join(dir, "data"));
      try {
        const rows = db
          .prepare("SELECT event, count(*) AS n FROM ticket_events WHERE actor = 'torture' GROUP BY event")
          .all() as { event: string; n: number }[];
        expect(Object.fromEntries(rows.map((r) => [r.event, r.n]))).toEqual(done);
      } finally {
        db.close();
      }
    },
    (SECONDS + 150) * 1000,
  );
});
