/**
 * A small dashboard builder: plain functions returning Grafana dashboard JSON (schemaVersion 39,
 * Grafana 10/11). grafana/src/<dashboard>.ts compose these; grafana/generate.ts writes
 * grafana/dashboards/*.json (`npm run dashboards`). Panels are laid out left to right in rows
 * of 24 columns, in the order given.
 */

export const PROM = { type: "prometheus", uid: "emcomm-prometheus" } as const;
export const INFLUX = { type: "influxdb", uid: "emcomm-influxdb" } as const;

/** Label selector for PromQL panels, following the site and device variables. */
export const SEL = 'site=~"$site", device=~"$device"';
/** WHERE clause for InfluxQL panels, following the time picker and the variables. */
export const WHERE = '$timeFilter AND "site" =~ /^$site$/ AND "device" =~ /^$device$/';

export interface PromTarget {
  kind: "prom";
  expr: string;
  legend?: string;
  instant?: boolean;
  table?: boolean;
}
export interface InfluxTarget {
  kind: "influx";
  query: string;
  alias?: string;
  table?: boolean;
}
export type Target = PromTarget | InfluxTarget;

export const prom = (expr: string, legend = "{{device}}", opts: Partial<PromTarget> = {}): PromTarget => ({
  kind: "prom",
  expr,
  legend,
  ...opts,
});
export const influx = (query: string, opts: Partial<InfluxTarget> = {}): InfluxTarget => ({
  kind: "influx",
  query,
  ...opts,
});

export type Json = Record<string, unknown>;

export interface Mapping {
  value: number;
  text: string;
  color: string;
}
export interface PanelSpec {
  title: string;
  description: string;
  type: "stat" | "timeseries" | "table" | "bargauge" | "geomap" | "text" | "state-timeline";
  targets?: Target[];
  w: number;
  h: number;
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  /** [[value, color], …] ascending; the first value is ignored (base). */
  thresholds?: [number | null, string][];
  mappings?: Mapping[];
  options?: Json;
  transformations?: Json[];
  overrides?: Json[];
  content?: string;
}

function targetJson(t: Target, i: number): Json {
  const refId = String.fromCharCode(65 + i);
  if (t.kind === "prom")
    return {
      datasource: PROM,
      refId,
      expr: t.expr,
      legendFormat: t.legend,
      range: !t.instant,
      instant: t.instant ?? false,
      format: t.table ? "table" : "time_series",
    };
  return {
    datasource: INFLUX,
    refId,
    query: t.query,
    rawQuery: true,
    resultFormat: t.table ? "table" : "time_series",
    ...(t.alias ? { alias: t.alias } : {}),
  };
}

export function panelJson(p: PanelSpec, id: number, x: number, y: number): Json {
  const usesInflux = p.targets?.some((t) => t.kind === "influx");
  const base: Json = {
    id,
    type: p.type,
    title: p.title,
    description: p.description,
    gridPos: { x, y, w: p.w, h: p.h },
  };
  if (p.type === "text") return { ...base, options: { mode: "markdown", content: p.content ?? "" } };
  return {
    ...base,
    datasource: usesInflux ? INFLUX : PROM,
    targets: (p.targets ?? []).map(targetJson),
    fieldConfig: {
      defaults: {
        ...(p.unit ? { unit: p.unit } : {}),
        ...(p.min !== undefined ? { min: p.min } : {}),
        ...(p.max !== undefined ? { max: p.max } : {}),
        ...(p.decimals !== undefined ? { decimals: p.decimals } : {}),
        color: { mode: p.mappings || p.thresholds ? "thresholds" : "palette-classic" },
        thresholds: {
          mode: "absolute",
          steps: (p.thresholds ?? [[null, "green"]]).map(([value, color], i) => ({
            value: i === 0 ? null : value,
            color,
          })),
        },
        mappings: (p.mappings ?? []).length
          ? [
              {
                type: "value",
                options: Object.fromEntries(
                  p.mappings!.map((m, index) => [String(m.value), { text: m.text, color: m.color, index }]),
                ),
              },
            ]
          : [],
      },
      overrides: p.overrides ?? [],
    },
    options: p.options ?? {},
    transformations: p.transformations ?? [],
  };
}

/** Stat tiles, one per series, coloured by background: the NOC wall's basic brick. */
export function tiles(
  p: Omit<PanelSpec, "type" | "options"> & { textSize?: number; orientation?: "auto" | "horizontal" },
): PanelSpec {
  return {
    ...p,
    type: "stat",
    options: {
      reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
      colorMode: "background",
      graphMode: "none",
      justifyMode: "center",
      textMode: "value_and_name",
      orientation: p.orientation ?? "auto",
      wideLayout: true,
      ...(p.textSize ? { text: { titleSize: p.textSize, valueSize: p.textSize } } : {}),
    },
  };
}

export function timeseries(p: Omit<PanelSpec, "type" | "options">): PanelSpec {
  return {
    ...p,
    type: "timeseries",
    options: { legend: { displayMode: "table", placement: "right", calcs: ["lastNotNull", "min"] } },
  };
}

export function table(
  p: Omit<PanelSpec, "type" | "options"> & { sortBy?: string; desc?: boolean },
): PanelSpec {
  return {
    ...p,
    type: "table",
    options: {
      showHeader: true,
      cellHeight: "md",
      ...(p.sortBy ? { sortBy: [{ displayName: p.sortBy, desc: p.desc ?? false }] } : {}),
    },
  };
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  refresh?: string;
  time?: string;
  /** Single-select device (drill-down) instead of multi-select with All. */
  singleDevice?: boolean;
  rows: { title: string; panels: PanelSpec[] }[];
  links?: Json[];
}

function variable(name: string, label: string, query: string, single: boolean): Json {
  return {
    name,
    label,
    type: "query",
    datasource: PROM,
    query: { query, refId: `${name}-variable` },
    definition: query,
    refresh: 2,
    sort: 1,
    multi: !single,
    includeAll: !single,
    ...(single ? {} : { allValue: ".*", current: { text: "All", value: "$__all" } }),
  };
}

export function dashboard(d: DashboardSpec): Json {
  const panels: Json[] = [];
  let id = 1;
  let y = 0;
  for (const row of d.rows) {
    panels.push({
      id: id++,
      type: "row",
      title: row.title,
      collapsed: false,
      gridPos: { x: 0, y, w: 24, h: 1 },
      panels: [],
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of row.panels) {
      if (x + p.w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      panels.push(panelJson(p, id++, x, y));
      x += p.w;
      rowHeight = Math.max(rowHeight, p.h);
    }
    y += rowHeight;
  }
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ["emcomm", ...d.tags],
    editable: false,
    graphTooltip: 1,
    refresh: d.refresh ?? "30s",
    time: { from: d.time ?? "now-6h", to: "now" },
    timezone: "browser",
    schemaVersion: 39,
    version: 1,
    links: [
      { type: "dashboards", tags: ["emcomm"], asDropdown: true, title: "emcomm 仪表盘 dashboards" },
      ...(d.links ?? []),
    ],
    templating: {
      list: [
        variable("site", "站点 site", "label_values(emcomm_device_info, site)", false),
        variable(
          "device",
          "设备 device",
          'label_values(emcomm_device_info{site=~"$site"}, device)',
          d.singleDevice ?? false,
        ),
      ],
    },
    annotations: { list: [] },
    panels,
  };
}

/** Every panel of a dashboard JSON, rows included, for tests. */
export function panelsOf(dash: Json): Json[] {
  return (dash.panels as Json[]).flatMap((p) => [p, ...((p.panels as Json[] | undefined) ?? [])]);
}

/** Every query of a dashboard with its panel title, for tests. */
export function queriesOf(dash: Json): { panel: string; kind: "prom" | "influx"; text: string }[] {
  return panelsOf(dash).flatMap((p) =>
    ((p.targets as Json[] | undefined) ?? []).map((t) =>
      (t.datasource as Json).type === "prometheus"
        ? { panel: String(p.title), kind: "prom" as const, text: String(t.expr) }
        : { panel: String(p.title), kind: "influx" as const, text: String(t.query) },
    ),
  );
}
