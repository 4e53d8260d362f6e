/**
 * The house style of our dashboards on top of Grafana's own builders
 * (`@grafana/grafana-foundation-sdk`, whose types follow Grafana's dashboard schema): the two
 * datasources, query shorthands, panel presets (NOC tiles, time series with a table legend,
 * tables) and `dashboard()`, which lays rows out and adds the site and device variables.
 * grafana/src/<dashboard>.ts compose these; grafana/generate.ts writes grafana/dashboards/*.json.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dash from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { InfluxqlQueryBuilder } from "./influxql.ts";

export const PROM: common.DataSourceRef = { type: "prometheus", uid: "emcomm-prometheus" };
export const INFLUX: common.DataSourceRef = { type: "influxdb", uid: "emcomm-influxdb" };

/** Label selector for PromQL panels, following the site and device variables. */
export const SEL = 'site=~"$site", device=~"$device"';
/** WHERE clause for InfluxQL panels, following the time picker and the variables. */
export const WHERE = '$timeFilter AND "site" =~ /^$site$/ AND "device" =~ /^$device$/';

type Query = prometheus.DataqueryBuilder | InfluxqlQueryBuilder;

/** A PromQL query; `instant` reads the last value, `table` returns labels as columns. */
export function prom(
  expr: string,
  legend = "{{device}}",
  opts: { instant?: boolean; table?: boolean } = {},
): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder()
    .datasource(PROM)
    .expr(expr)
    .legendFormat(legend)
    .format(opts.table ? prometheus.PromQueryFormat.Table : prometheus.PromQueryFormat.TimeSeries);
  return opts.instant ? q.instant() : q.range();
}

/** A raw InfluxQL query against the InfluxDB datasource. */
export function influx(query: string, opts: { alias?: string; table?: boolean } = {}): InfluxqlQueryBuilder {
  const q = new InfluxqlQueryBuilder(query)
    .datasource(INFLUX)
    .resultFormat(opts.table ? "table" : "time_series");
  return opts.alias ? q.alias(opts.alias) : q;
}

/** A panel's queries, lettered A, B, … in order. */
export function queries(...qs: Query[]): cog.Builder<cog.Dataquery>[] {
  return qs.map((q, i) => q.refId(String.fromCharCode(65 + i)));
}

/** A panel's own datasource: InfluxDB when any of its queries is InfluxQL. */
function datasourceOf(qs: Query[]): common.DataSourceRef {
  return qs.some((q) => q instanceof InfluxqlQueryBuilder) ? INFLUX : PROM;
}

export interface Mapping {
  value: number;
  text: string;
  color: string;
}

/** Value → text and colour, for state and alarm codes. */
export function valueMappings(mappings: readonly Mapping[]): dash.ValueMapping[] {
  return [
    {
      type: dash.MappingType.ValueToText,
      options: Object.fromEntries(
        mappings.map((m, index) => [String(m.value), { text: m.text, color: m.color, index }]),
      ),
    },
  ];
}

/** Absolute threshold steps, ascending: `[[null, base colour], [value, colour], …]`. */
export function steps(...list: [number | null, string][]): dash.ThresholdsConfigBuilder {
  return new dash.ThresholdsConfigBuilder()
    .mode(dash.ThresholdsMode.Absolute)
    .steps(list.map(([value, color], i) => ({ value: i === 0 ? null : value, color })));
}

/** Colour values by their threshold step (and their value mapping's colour). */
export const byThresholds = new dash.FieldColorBuilder().mode(dash.FieldColorModeId.Thresholds);
/** One colour per series from Grafana's palette. */
export const byPalette = new dash.FieldColorBuilder().mode(dash.FieldColorModeId.PaletteClassic);

const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).fields("").values(false);

/**
 * Stat tiles, one per series, coloured by background on threshold steps: the NOC wall's basic
 * brick. A tile is green unless its `thresholds` or `mappings` say otherwise; tiles that show a
 * plain figure take `.colorScheme(byPalette)`.
 */
export function tiles(...qs: Query[]): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .datasource(datasourceOf(qs))
    .targets(queries(...qs))
    .reduceOptions(lastValue())
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .justifyMode(common.BigValueJustifyMode.Center)
    .textMode(common.BigValueTextMode.ValueAndName)
    .orientation(common.VizOrientation.Auto)
    .wideLayout(true)
    .colorScheme(byThresholds)
    .thresholds(steps([null, "green"]));
}

/** Title and value text size of tiles, for a wall read from across the room. */
export const textSize = (size: number) =>
  new common.VizTextDisplayOptionsBuilder().titleSize(size).valueSize(size);

/** A time series with its legend as a table on the right (last and minimum). */
export function lines(...qs: Query[]): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .datasource(datasourceOf(qs))
    .targets(queries(...qs))
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Right)
        .calcs(["lastNotNull", "min"])
        .showLegend(true),
    )
    .colorScheme(byPalette);
}

/** A table with a header; `sortBy` a column, ascending unless `desc`. */
export function grid(qs: Query[], sortBy?: { column: string; desc?: boolean }): table.PanelBuilder {
  const panel = new table.PanelBuilder()
    .datasource(datasourceOf(qs))
    .targets(queries(...qs))
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Md)
    .colorScheme(byThresholds);
  return sortBy
    ? panel.sortBy([
        new common.TableSortByFieldStateBuilder().displayName(sortBy.column).desc(sortBy.desc ?? false),
      ])
    : panel;
}

/** Hide and rename the columns of a table. */
export function organize(exclude: string[], rename: Record<string, string> = {}): dash.DataTransformerConfig {
  return {
    id: "organize",
    options: {
      excludeByName: Object.fromEntries(exclude.map((c) => [c, true])),
      ...(Object.keys(rename).length ? { renameByName: rename } : {}),
    },
  };
}

type Panel = cog.Builder<dash.Panel> & { id(id: number): unknown };

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  refresh?: string;
  time?: string;
  /** Single-select device (drill-down) instead of multi-select with All. */
  singleDevice?: boolean;
  /** Panels are laid out left to right in rows of 24 columns, in the order given. */
  rows: { title: string; panels: Panel[] }[];
}

function variable(name: string, label: string, query: string, single: boolean): dash.QueryVariableBuilder {
  const v = new dash.QueryVariableBuilder(name)
    .label(label)
    .datasource(PROM)
    .query(query)
    .definition(query)
    .refresh(dash.VariableRefresh.OnTimeRangeChanged)
    .sort(dash.VariableSort.AlphabeticalAsc)
    .multi(!single)
    .includeAll(!single);
  return single ? v : v.allValue(".*").current({ text: "All", value: "$__all" });
}

export function dashboard(d: DashboardSpec): dash.Dashboard {
  const builder = new dash.DashboardBuilder(d.title)
    .uid(d.uid)
    .description(d.description)
    .tags(["emcomm", ...d.tags])
    .readonly()
    .tooltip(dash.DashboardCursorSync.Crosshair)
    .refresh(d.refresh ?? "30s")
    .time({ from: d.time ?? "now-6h", to: "now" })
    .timezone("browser")
    .version(1)
    .link(
      new dash.DashboardLinkBuilder("emcomm 仪表盘 dashboards")
        .type(dash.DashboardLinkType.Dashboards)
        .tags(["emcomm"])
        .asDropdown(true),
    )
    .withVariable(variable("site", "站点 site", "label_values(emcomm_device_info, site)", false))
    .withVariable(
      variable(
        "device",
        "设备 device",
        'label_values(emcomm_device_info{site=~"$site"}, device)',
        d.singleDevice ?? false,
      ),
    );
  let id = 1;
  for (const row of d.rows) {
    builder.withRow(new dash.RowBuilder(row.title).id(id++));
    for (const panel of row.panels) {
      panel.id(id++);
      builder.withPanel(panel);
    }
  }
  return builder.build();
}
