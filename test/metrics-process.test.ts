import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { LOOP_LAG_STATS_MIN_INTERVAL_MS, registerProcessMetrics } from "../src/metrics-process.ts";

/** The value of an unlabelled family in a scrape. */
const value = (text: string, name: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} not in the scrape`);
  return line.slice(name.length + 1);
};
/** The setImmediate lag is written one turn of the loop after the statistics are worked out. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("process metrics", () => {
  it("works the event-loop lag statistics out at most once a second; a quicker scrape repeats them", async () => {
    let now = 50_000;
    const registry = new Registry();
    registerProcessMetrics(registry, "t_", () => now);
    await registry.metrics();
    await turn();
    const first = await registry.metrics();
    await turn();
    now += LOOP_LAG_STATS_MIN_INTERVAL_MS - 1;
    const quick = await registry.metrics();
    await turn();
    // Nothing was measured again: the setImmediate lag (a fresh hrtime each time) is unchanged.
    expect(value(quick, "t_nodejs_eventloop_lag_seconds")).toBe(
      value(first, "t_nodejs_eventloop_lag_seconds"),
    );
    now += 1;
    await registry.metrics();
    await turn();
    const later = await registry.metrics();
    expect(value(later, "t_nodejs_eventloop_lag_seconds")).not.toBe(
      value(first, "t_nodejs_eventloop_lag_seconds"),
    );
    for (const stat of ["min", "max", "mean", "stddev", "p50", "p90", "p99"])
      expect(later).toContain(`# TYPE t_nodejs_eventloop_lag_${stat}_seconds gauge`);
  });

  it.runIf(process.platform === "linux")(
    "counts open descriptors under prom-client's name and help",
    async () => {
      const registry = new Registry();
      registerProcessMetrics(registry, "t_");
      const text = await registry.metrics();
      expect(text).toContain("# HELP t_process_open_fds Number of open file descriptors.");
      expect(Number(value(text, "t_process_open_fds"))).toBeGreaterThanOrEqual(3);
    },
  );
});
