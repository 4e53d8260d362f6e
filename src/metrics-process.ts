/**
 * The process families of /metrics: prom-client's default metrics (CPU, memory, heap, handles, GC,
 * event-loop lag, version), registered once by DaemonMetrics, with two made cheaper per scrape,
 * same names, help and meaning:
 * - `process_open_fds`: prom-client lists /proc/self/fd on every scrape, a string per open
 *   descriptor (10,000 at 10,000 SNMP devices, one socket each); `openDescriptors` asks the kernel
 *   for the count with one stat where it can (Linux 6.2+), and lists the directory only where it
 *   cannot.
 * - `nodejs_eventloop_lag_*`: prom-client works out the lag statistics (min, max, mean, stddev,
 *   p50, p90, p99 of the loop delays sampled since it last did, then starts over, and the
 *   setImmediate lag) on every scrape; Node's histogram walks all its buckets for the mean, the
 *   stddev and each percentile, about 0.3–0.5 ms. They are worked out at most once a second: a
 *   scrape within a second of the last working out repeats its figures, and the next one covers
 *   every delay since (Prometheus scrapes every 15 s: each scrape still gets its own).
 */
import { collectDefaultMetrics, Gauge, type Registry } from "prom-client";
import { openDescriptors } from "./core/descriptors.ts";

/** How often the default event-loop lag metrics sample the loop, ms (LoopStalls' tick). */
const LOOP_LAG_RESOLUTION_MS = 100;
/** The shortest time between two workings out of the event-loop lag statistics, ms. */
export const LOOP_LAG_STATS_MIN_INTERVAL_MS = 1000;

/** `now`: a monotonic clock in ms (tests pass their own). */
export function registerProcessMetrics(
  registry: Registry,
  prefix: string,
  now: () => number = () => performance.now(),
): void {
  // The event-loop lag histogram samples on a timer of its own: prom-client's default (every
  // 10 ms) wakes an idle daemon 100 times a second, about 5 ms of CPU per second here, more than
  // the scheduler's ticks. Sampled every 100 ms it costs next to nothing, and stalls that matter
  // (LoopStalls: 1 s and more) still show in its max and high percentiles.
  collectDefaultMetrics({ register: registry, prefix, eventLoopMonitoringPrecision: LOOP_LAG_RESOLUTION_MS });
  throttleLoopLagStatistics(registry, prefix, now);
  countOpenDescriptorsCheaply(registry, prefix);
}

/** prom-client computes every lag family in the collect of this one (eventLoopLag.js). */
function throttleLoopLagStatistics(registry: Registry, prefix: string, now: () => number): void {
  const lag = registry.getSingleMetric(`${prefix}nodejs_eventloop_lag_seconds`) as
    | { collect?: () => void | Promise<void> }
    | undefined;
  const workOut = lag?.collect;
  if (!lag || !workOut) return;
  let last = Number.NEGATIVE_INFINITY;
  lag.collect = function (this: unknown) {
    const at = now();
    if (at - last < LOOP_LAG_STATS_MIN_INTERVAL_MS) return;
    last = at;
    return workOut.call(this);
  };
}

function countOpenDescriptorsCheaply(registry: Registry, prefix: string): void {
  const openFds = `${prefix}process_open_fds`;
  if (!registry.getSingleMetric(openFds)) return;
  registry.removeSingleMetric(openFds);
  new Gauge({
    name: openFds,
    help: "Number of open file descriptors.",
    registers: [registry],
    collect() {
      const open = openDescriptors();
      if (open !== undefined) this.set(open);
    },
  });
}
