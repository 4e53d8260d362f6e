/**
 * Every dashboard panel's query runs against a real engine loaded with what the daemon produced:
 * the demo (the inventory on simulators) runs for a few seconds; a real Prometheus scrapes it; its
 * poll outcomes, encoded as line protocol, go into a real InfluxDB 1.x through /write. Each PromQL
 * query must run without error, each InfluxQL query too, and return data wherever it asks for
 * something the demo produced.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { influxqlUse, promqlMetricNames, queriesOf } from "../../grafana/query-check.ts";
import { STATE_CODES } from "../../grafana/src/common.ts";
import { dashboards } from "../../grafana/src/index.ts";
import {
  missingPeers,
  type Peer,
  promQuery,
  startInfluxd,
  startPrometheus,
  titled,
  waitFor,
} from "../../peers/index.ts";
import { renderPrometheus } from "../../peers/noc-stack.ts";
import type { Demo } from "../../simulators/demo.ts";
import { startFastDemo } from "../../simulators/fast-demo.ts";
import { encodePoints, outcomePoints } from "../../src/sinks/line-protocol.ts";

const skip = missingPeers("prometheus", "influxd");

/** Grafana's variables as a fresh dashboard fills them: All sites, all devices. */
const promVars = (q: string) =>
  q
    .replaceAll("$__rate_interval", "15s")
    .replaceAll("$__range", "1h")
    .replaceAll("$site", ".*")
    .replaceAll("$device", ".*");
const influxVars = (q: string) =>
  q
    .replaceAll("$timeFilter", "time > now() - 1h")
    .replaceAll("$__interval", "1s")
    .replaceAll("$site", ".*")
    .replaceAll("$device", ".*");

const all = Object.values(dashboards).flatMap((d) =>
  queriesOf(d).map((q) => ({ ...q, dash: String(d.uid) })),
);

describe.skipIf(skip)(titled("dashboard queries against real Prometheus and InfluxDB", skip), () => {
  let dir: string;
  let demo: Demo;
  let prometheus: Peer;
  let influxd: Peer;
  /** Measurement → fields the demo produced. */
  const produced = new Map<string, Set<string>>();
  /** Metric names Prometheus holds from the daemon. */
  let scraped: Set<string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "emcomm-noc-dash-"));
    const lines: string[] = [];
    demo = await startFastDemo(join(dir, "demo"), [
      "duty-system",
      "trunking-console",
      "mine-tablet",
      "vehicle-video-matrix",
      "vehicle-modem",
    ]);
    const devices = new Map(demo.daemon.config.devices.map((d) => [d.id, d]));
    // Collect until the write below, so `produced` says exactly what influxd holds.
    let collecting = true;
    demo.daemon.pipeline.subscribe("test-influx", (o) => {
      if (!collecting) return;
      // The daemon's own encoder (what the outbox sends to InfluxDB).
      for (const line of encodePoints(outcomePoints(o, devices.get(o.deviceId)!)).lines) {
        lines.push(line);
        const [head, fields] = line.split(" ") as [string, string];
        const m = head.split(",")[0]!;
        const set = produced.get(m) ?? new Set<string>();
        for (const f of fields.split(",")) set.add(f.split("=")[0]!);
        produced.set(m, set);
      }
    });
    [influxd, prometheus] = await Promise.all([
      startInfluxd(join(dir, "influx")),
      startPrometheus(
        renderPrometheus(join(dir, "prometheus"), { daemon: new URL(demo.daemon.url!).host }),
        join(dir, "prometheus"),
      ),
    ]);
    // A few scrapes, so rate() and histogram_quantile() have two points.
    await waitFor(
      "four scrapes of the daemon",
      async () => {
        const r = await promQuery(prometheus.url, 'count_over_time(up{job="emcomm"}[1m]) >= 4');
        return r.length ? true : undefined;
      },
      20_000,
    );
    collecting = false;
    await influxQuery("CREATE DATABASE emcomm", "POST");
    const w = await fetch(`${influxd.url}/write?db=emcomm&precision=ms`, {
      method: "POST",
      body: lines.join("\n"),
    });
    expect(w.status, await w.text()).toBe(204);
    scraped = new Set(
      (await promQuery(prometheus.url, 'count by (__name__) ({job="emcomm"})')).map(
        (r) => r.metric.__name__!,
      ),
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await influxd?.stop();
    await demo?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function influxQuery(q: string, method = "GET") {
    const params = new URLSearchParams({ db: "emcomm", q, epoch: "ms" });
    const r = await fetch(`${influxd.url}/query?${params}`, { method });
    const body = (await r.json()) as { error?: string; results: { error?: string; series?: unknown[] }[] };
    if (body.error || body.results.some((x) => x.error))
      throw new Error(`${q}: ${body.error ?? body.results.map((x) => x.error).join("; ")}`);
    return body.results.flatMap((x) => x.series ?? []);
  }

  it("the demo produced poll results and device values", () => {
    expect(produced.get("poll")?.has("up")).toBe(true);
    expect(produced.get("poll")?.has("duration_seconds")).toBe(true);
    expect(produced.get("tcp")).toEqual(new Set(["tcp_connect_seconds"]));
    expect(produced.get("modem")?.has("modem_ebno_db")).toBe(true);
    expect(scraped.has("emcomm_device_up")).toBe(true);
  });

  const promQueries = all.filter((q) => q.kind === "prom");
  it.each(promQueries.map((q) => [`${q.dash} · ${q.panel}`, q] as const))("PromQL %s", async (_n, q) => {
    const result = await promQuery(prometheus.url, promVars(q.text));
    const names = promqlMetricNames(q.text);
    // Data is expected where every metric the query reads is one the demo exports.
    if (names.every((n) => scraped.has(n)) && !q.text.includes("== 1)"))
      expect(result.length).toBeGreaterThan(0);
  });

  const influxQueries = all.filter((q) => q.kind === "influx");
  it.each(influxQueries.map((q) => [`${q.dash} · ${q.panel}`, q] as const))("InfluxQL %s", async (_n, q) => {
    const series = await influxQuery(influxVars(q.text));
    const use = influxqlUse(q.text);
    const fields = produced.get(use.measurement);
    const wantsProduced = fields !== undefined && use.selected.some((f) => fields.has(f));
    // A filter on a value ("up" = 0, "event" = 'opened') may rightly match nothing.
    const filtersValues = use.filtered.some((f) => f !== "site" && f !== "device");
    if (wantsProduced && !filtersValues) expect(series.length, "no data").toBeGreaterThan(0);
  });

  it("the NOC wall's device tiles show every device: health state, else last poll, else unmonitored", async () => {
    const wall = queriesOf(dashboards["noc-wall"]!).find((q) => q.panel === "设备")!;
    const tiles = await promQuery(prometheus.url, promVars(wall.text));
    const code = new Map(tiles.map((t) => [t.metric.device!, Number(t.value[1])]));
    const up = new Map(
      (await promQuery(prometheus.url, "emcomm_device_up")).map((t) => [
        t.metric.device!,
        Number(t.value[1]),
      ]),
    );
    const state = new Map(
      (await promQuery(prometheus.url, "emcomm_device_state == 1")).map((t) => [
        t.metric.device!,
        t.metric.state!,
      ]),
    );
    expect(code.size).toBe(demo.daemon.config.devices.length);
    for (const d of demo.daemon.config.devices) {
      const s = state.get(d.id);
      const u = up.get(d.id);
      const want = s ? STATE_CODES.find(([name]) => name === s)![1] : u !== undefined ? 6 - 3 * u : 0;
      expect(code.get(d.id), d.id).toBe(want);
    }
    // Without a health engine (this branch) the fallbacks show: duty-system answers, manual is grey.
    if (!state.size) {
      expect(code.get("duty-system")).toBe(3);
      expect(code.get("trunking-handheld-1")).toBe(0);
    }
  });
});
