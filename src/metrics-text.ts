/**
 * Prometheus text exposition (format 0.0.4) of the per-device families, written straight from
 * what the daemon already holds instead of through prom-client label sets: with thousands of
 * devices, hashing and re-formatting every label set on each poll and each scrape costs more than
 * the poll itself. Escaping and number formatting match prom-client's, so the families read the
 * same whichever way they were written.
 */
import { Registry } from "prom-client";

/** A label value as it goes between double quotes: backslash, newline and quote escaped. */
export function escapeLabelValue(value: string): string {
  return /[\\\n"]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
    : value;
}

/** A help text: backslash and newline escaped. */
export function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value as prom-client writes it. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "Nan";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return `${value}`;
}

/**
 * Text kept between scrapes, from its pieces, as one flat string: V8 keeps a string built with `+`
 * or a template as a tree of its pieces, which takes several times its length in memory and which
 * every scrape's final join walks again; an array join writes one flat copy.
 */
export function flatText(...pieces: string[]): string {
  return pieces.join("");
}

/** The `# HELP` and `# TYPE` lines of a family. */
export function familyHeader(name: string, help: string, type: "gauge" | "counter" | "histogram"): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}`;
}

/** A family written as text: declared in the registry (name, help, type, labels) like any metric. */
export interface TextFamily {
  name: string;
  help: string;
  type: "gauge" | "histogram";
  labelNames: readonly string[];
}

/**
 * A Registry some of whose families are written as text by a renderer instead of by prom-client.
 * Those families are registered as declarations (so whoever lists the registry's metrics sees
 * them, with their labels) whose values the renderer writes: at the first of them in registry
 * order, once per scrape, as text fragments joined with nothing between them (the renderer's text
 * ends with "\n", families are separated by one "\n"). A line is a few fragments (text kept between
 * scrapes, and its value), so nothing is copied before the one final join.
 */
export class ExpositionRegistry extends Registry {
  private readonly renderers = new WeakMap<object, (out: string[]) => void>();

  addTextFamilies(families: readonly TextFamily[], render: (out: string[]) => void): void {
    for (const f of families) {
      const declaration = {
        ...f,
        labelNames: [...f.labelNames],
        aggregator: "sum",
        get: async () => ({ name: f.name, help: f.help, type: f.type, values: [], aggregator: "sum" }),
        reset() {},
      };
      this.renderers.set(declaration, render);
      this.registerMetric(declaration as unknown as Parameters<Registry["registerMetric"]>[0]);
    }
  }

  /** prom-client's own text of one of its metrics (Registry#getMetricsAsString, untyped in its .d.ts). */
  private familyText(metric: object): Promise<string> {
    return (this as unknown as { getMetricsAsString(m: object): Promise<string> }).getMetricsAsString(metric);
  }

  override async metrics(): Promise<string> {
    const out: string[] = [];
    const done = new Set<(out: string[]) => void>();
    for (const metric of this.getMetricsAsArray()) {
      const render = this.renderers.get(metric);
      if (render && done.has(render)) continue;
      if (out.length > 0) out.push("\n");
      if (render) {
        done.add(render);
        render(out);
      } else out.push(await this.familyText(metric), "\n");
    }
    return out.join("");
  }
}
