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

/** The `# HELP` and `# TYPE` lines of a family. */
export function familyHeader(name: string, help: string, type: "gauge" | "counter" | "histogram"): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}`;
}

/**
 * A Registry whose exposition also carries families rendered elsewhere. A renderer appends text
 * fragments to `out` (joined with nothing between them: each line ends with its own "\n"), whole
 * families, separated by blank lines; called once per scrape. Everything is joined once, and a line
 * is at most two fragments (a prefix kept between scrapes, and its value), so no line is copied
 * before the join.
 */
export class ExpositionRegistry extends Registry {
  private readonly renderers: ((out: string[]) => void)[] = [];

  addRenderer(render: (out: string[]) => void): void {
    this.renderers.push(render);
  }

  override async metrics(): Promise<string> {
    const out = [await super.metrics()];
    for (const render of this.renderers) {
      const mark = out.length;
      out.push("\n");
      render(out);
      if (out.length === mark + 1) out.pop();
    }
    return out.join("");
  }
}
