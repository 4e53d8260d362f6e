/**
 * Lists the panels and queries of a dashboard and reads the metric and field names out of PromQL
 * and InfluxQL text, so tests can prove that dashboards and alert rules use only what the daemon
 * declares (grafana/declared-metrics.ts).
 * Deliberately small: it understands the subset our queries are written in (double-quoted
 * InfluxQL identifiers, one measurement per SELECT), and rejects what it cannot read.
 */
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { InfluxMeasurement } from "./declared-metrics.ts";

/** A panel as the tests read it: rows and panels alike. */
export interface PanelView {
  type: string;
  title?: string;
  description?: string;
  targets?: { datasource?: { type?: string; uid?: string }; expr?: string; query?: string }[];
}

/** Every panel of a dashboard, rows included. */
export function panelsOf(dash: Dashboard): PanelView[] {
  return (dash.panels ?? []).flatMap((p) => [
    p as PanelView,
    ...("panels" in p ? (p.panels as PanelView[]) : []),
  ]);
}

/** Every query of a dashboard with its panel title. */
export function queriesOf(dash: Dashboard): { panel: string; kind: "prom" | "influx"; text: string }[] {
  return panelsOf(dash).flatMap((p) =>
    (p.targets ?? []).map((t) =>
      t.datasource?.type === "prometheus"
        ? { panel: String(p.title), kind: "prom" as const, text: String(t.expr) }
        : { panel: String(p.title), kind: "influx" as const, text: String(t.query) },
    ),
  );
}

const PROMQL_WORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "inf",
  "nan",
]);

/** Series names a PromQL expression selects (metric names, not functions or keywords). */
export function promqlMetricNames(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\$\{?\w+\}?/g, " ")
    .replace(/(?<![\w:])\d+(\.\d+)?([eE][+-]?\d+)?([smhdwy]|ms)?(?![\w:])/g, " ");
  const names: string[] = [];
  for (const m of text.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const rest = text.slice(m.index + word.length).trimStart();
    if (rest.startsWith("(")) continue; // a function or aggregation
    if (PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.push(word);
  }
  return [...new Set(names)];
}

/** Label names used in `{...}` matchers and by/on/without/ignoring/group_* clauses. */
export function promqlLabelNames(expr: string): string[] {
  const text = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = new Set<string>();
  for (const m of text.matchAll(/\{([^}]*)\}/g))
    for (const l of m[1]!.matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)/g)) names.add(l[1]!);
  for (const m of text.matchAll(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g))
    for (const l of m[2]!.split(",")) if (l.trim()) names.add(l.trim());
  return [...names];
}

export interface InfluxqlUse {
  measurement: string;
  /** Identifiers selected (fields or tags; aliases after AS excluded). */
  selected: string[];
  /** Identifiers compared in WHERE (tags or fields). */
  filtered: string[];
  /** Identifiers in GROUP BY (tags). */
  grouped: string[];
}

/** Splits a `SELECT … FROM "m" [WHERE …] [GROUP BY …] [fill(…)] [ORDER BY …] [LIMIT n]` query. */
export function influxqlUse(query: string): InfluxqlUse {
  const m =
    /^\s*SELECT\s+(.+?)\s+FROM\s+"([^"]+)"(?:\s+WHERE\s+(.+?))?(?:\s+GROUP\s+BY\s+(.+?))?(?:\s+fill\([^)]*\))?(?:\s+ORDER\s+BY\s+time\s+(?:ASC|DESC))?(?:\s+LIMIT\s+\d+)?\s*$/is.exec(
      query,
    );
  if (!m) throw new Error(`cannot read InfluxQL (write SELECT … FROM "measurement" …): ${query}`);
  const idents = (s: string | undefined) =>
    [...(s ?? "").replace(/\bAS\s+"[^"]*"/gi, "").matchAll(/"([^"]+)"/g)].map((x) => x[1]!);
  return {
    measurement: m[2]!,
    selected: idents(m[1]),
    filtered: idents(m[3]),
    grouped: idents(m[4]),
  };
}

/** Problems with an InfluxQL query against the declared schema; empty when it is fine. */
export function influxqlProblems(query: string, schema: ReadonlyMap<string, InfluxMeasurement>): string[] {
  let use: InfluxqlUse;
  try {
    use = influxqlUse(query);
  } catch (err) {
    return [(err as Error).message];
  }
  const m = schema.get(use.measurement);
  if (!m) return [`measurement "${use.measurement}" is not declared`];
  const problems: string[] = [];
  if (!use.selected.some((f) => m.fields.has(f)))
    problems.push(`selects no declared field of "${use.measurement}"`);
  for (const f of [...use.selected, ...use.filtered])
    if (!m.fields.has(f) && !m.tags.has(f))
      problems.push(`"${f}" is neither a field nor a tag of "${use.measurement}"`);
  for (const t of use.grouped)
    if (!m.tags.has(t)) problems.push(`GROUP BY "${t}": not a tag of "${use.measurement}"`);
  return problems;
}
