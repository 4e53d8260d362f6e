/**
 * The Grafana dashboards: generated files match their TypeScript, uids are stable, titles are
 * Chinese with English descriptions, every dashboard has the site and device variables, and every
 * panel query uses only metrics and InfluxDB fields the daemon declares.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { declaredInfluxSchema, declaredPromMetrics } from "../../grafana/declared-metrics.ts";
import { render } from "../../grafana/generate.ts";
import {
  influxqlProblems,
  panelsOf,
  promqlLabelNames,
  promqlMetricNames,
  queriesOf,
} from "../../grafana/query-check.ts";
import { dashboards } from "../../grafana/src/index.ts";

import { ROOT } from "../../peers/noc-stack.ts";

const DIR = join(ROOT, "grafana/dashboards");
const HAN = /[\u4e00-\u9fff]/;

/** Stable uids: links, bookmarks and the NOC wall's kiosk URL depend on them. Never change one. */
const UIDS: Record<string, string> = {
  "noc-wall": "emcomm-noc-wall",
  satellite: "emcomm-satellite",
  power: "emcomm-power",
  network: "emcomm-network",
  radio: "emcomm-radio",
  sla: "emcomm-sla",
  device: "emcomm-device",
};

describe("grafana dashboards", () => {
  it("the committed JSON is what `npm run dashboards` generates", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));
    expect(files.sort()).toEqual(
      Object.keys(dashboards)
        .map((n) => `${n}.json`)
        .sort(),
    );
    for (const [name, dash] of Object.entries(dashboards))
      expect(readFileSync(join(DIR, `${name}.json`), "utf8"), `${name}.json is stale`).toBe(render(dash));
  });

  it("uids are stable and unique, titles Chinese, descriptions English", () => {
    for (const [name, dash] of Object.entries(dashboards)) {
      expect(dash.uid).toBe(UIDS[name]);
      expect(String(dash.title)).toMatch(HAN);
      expect(String(dash.description)).toMatch(/^[A-Z][\x20-\x7e–…≥]+$/u);
      for (const p of panelsOf(dash)) {
        expect(String(p.title), `${name}: ${p.title}`).toMatch(HAN);
        if (p.type !== "row")
          expect(String(p.description ?? ""), `${name}: ${p.title}`).toMatch(/[A-Za-z]{3}/);
      }
    }
    expect(new Set(Object.values(dashboards).map((d) => d.uid)).size).toBe(Object.keys(dashboards).length);
  });

  it("every dashboard has the site and device variables", () => {
    for (const dash of Object.values(dashboards)) {
      const vars = (dash.templating.list ?? []).map((v) => v.name);
      expect(vars).toEqual(["site", "device"]);
    }
  });

  it("panels refer only to the provisioned datasources", () => {
    const provisioned = parse(
      readFileSync(join(ROOT, "grafana/provisioning/datasources/emcomm.yaml"), "utf8"),
    ) as {
      datasources: { uid: string; type: string }[];
    };
    const uids = new Set(provisioned.datasources.map((d) => `${d.type}:${d.uid}`));
    for (const dash of Object.values(dashboards))
      for (const p of panelsOf(dash))
        for (const t of p.targets ?? []) {
          const ds = t.datasource;
          expect(uids.has(`${ds?.type}:${ds?.uid}`), `${dash.uid} ${p.title}`).toBe(true);
        }
  });

  it("the NOC wall has device tiles, satellite, power and the ticket clocks worst first", () => {
    const wall = dashboards["noc-wall"]!;
    const titles = panelsOf(wall).map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining(["站点", "设备", "解调锁定", "信噪比 Eb/No", "UPS 供电", "工单时限剩余"]),
    );
    const tickets = queriesOf(wall).find((q) => q.panel === "工单时限剩余")!;
    expect(tickets.text).toMatch(/^sort\(emcomm_ticket_clock_remaining_seconds/);
  });

  describe("every panel query uses only declared metrics and fields", () => {
    const prom = declaredPromMetrics();
    const influx = declaredInfluxSchema();
    const all = Object.values(dashboards).flatMap((d) =>
      queriesOf(d).map((q) => ({ ...q, dash: String(d.uid) })),
    );
    it.each(all.map((q) => [`${q.dash} · ${q.panel} · ${q.kind}`, q] as const))("%s", (_name, q) => {
      if (q.kind === "influx") {
        expect(influxqlProblems(q.text, influx)).toEqual([]);
        return;
      }
      const names = promqlMetricNames(q.text);
      expect(names.length).toBeGreaterThan(0);
      for (const n of names) expect(prom.has(n), `${n} is not declared`).toBe(true);
      if (names.includes("ALERTS")) return; // an alert carries its rule's labels
      const known = new Set(["job", "instance", "le", ...names.flatMap((n) => prom.get(n) ?? [])]);
      for (const l of promqlLabelNames(q.text)) expect(known.has(l), `label ${l}`).toBe(true);
    });
  });

  it("the checks reject what is not declared", () => {
    expect(promqlMetricNames('rate(emcomm_made_up_total{site=~"$site"}[5m])')).toEqual([
      "emcomm_made_up_total",
    ]);
    expect(declaredPromMetrics().has("emcomm_made_up_total")).toBe(false);
    const schema = declaredInfluxSchema();
    expect(
      influxqlProblems('SELECT mean("modem_snr_db") FROM "modem" WHERE $timeFilter', schema),
    ).not.toEqual([]);
    expect(
      influxqlProblems('SELECT mean("modem_ebno_db") FROM "modems" WHERE $timeFilter', schema),
    ).not.toEqual([]);
    expect(
      influxqlProblems(
        'SELECT mean("modem_ebno_db") FROM "modem" WHERE $timeFilter GROUP BY "ifname"',
        schema,
      ),
    ).not.toEqual([]);
  });
});
