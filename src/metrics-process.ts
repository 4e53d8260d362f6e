/**
 * The process families of /metrics: prom-client's default metrics (CPU, memory, heap, handles, GC,
 * event-loop lag, version), registered once by DaemonMetrics, with `process_open_fds` collected
 * the cheap way. prom-client lists /proc/self/fd on every scrape, a string per open descriptor
 * (10,000 at 10,000 SNMP devices, one socket each); `openDescriptors` asks the kernel for the count
 * with one stat where it can (Linux 6.2+), and lists the directory only where it cannot. Same
 * name, help and value.
 */
import { collectDefaultMetrics, Gauge, type Registry } from "prom-client";
import { openDescriptors } from "./core/descriptors.ts";

/** How often the default event-loop lag metrics sample the loop, ms (LoopStalls' tick). */
const LOOP_LAG_RESOLUTION_MS = 100;

export function registerProcessMetrics(registry: Registry, prefix: string): void {
  // The event-loop lag histogram samples on a timer of its own: prom-client's default (every
  // 10 ms) wakes an idle daemon 100 times a second, about 5 ms of CPU per second here, more than
  // the scheduler's ticks. Sampled every 100 ms it costs next to nothing, and stalls that matter
  // (LoopStalls: 1 s and more) still show in its max and high percentiles.
  collectDefaultMetrics({ register: registry, prefix, eventLoopMonitoringPrecision: LOOP_LAG_RESOLUTION_MS });
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
