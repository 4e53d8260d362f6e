/**
 * Latency bench (`npm run bench -- latency`): how long a fault takes to reach the people.
 *
 * Link drop to ticket, on the real daemon (startDaemon: scheduler, trap receiver, health engine,
 * tickets in SQLite). One SNMP simulator serves the satellite modems; the simulator's faults are
 * the link drops:
 * - by polling: the modem stops answering ("silent"); the ticket opens after `downAfterPolls`
 *   failed polls: at most downAfterPolls × interval + the poll timeout;
 * - by trap: the modem loses its carrier ("modem-unlock") and sends its trap; the trap re-polls the
 *   device at once and the rx_unlock rule holds. With `downAfterPolls: 1` for that device (what a
 *   trap-capable device is configured with when a trap should open the ticket) the ticket opens on
 *   that re-poll; with the default 3 it waits for two more scheduled polls.
 * Each is repeated `rounds` times, on a device of its own each time (a device has one open ticket
 * per fault, and closing one is the bureau's job); medians are reported.
 *
 * Fault to the Alertmanager webhook, on the real stack: the demo (the inventory on simulators;
 * duty-system polled every second), a real Prometheus scraping it every second with the shipped
 * rules, a real Alertmanager with the shipped routes, and the SMS/voice gateway played by an HTTP
 * server here. A `silent` fault on duty-system (a major device) until the gateway is called for the
 * bureau's duty contact. One round (the stack takes a while to start).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { missingPeers, promQuery, startAlertmanager, startPrometheus, waitFor } from "../peers/index.ts";
import { renderAlertmanager, renderPrometheus } from "../peers/noc-stack.ts";
import { startPhones } from "../peers/phones.ts";
import { startFastDemo } from "../simulators/fast-demo.ts";
import { startSnmpSimulator } from "../simulators/snmp/index.ts";
import { validateConfig } from "../src/config/load.ts";
import { systemClock } from "../src/core/clock.ts";
import { startDaemon } from "../src/daemon.ts";
import { type Figure, median, recordFigures } from "./support/figures.ts";

interface Latency {
  pollingMs: number;
  /** At most downAfterPolls × interval + timeout (the fault lands anywhere in an interval). */
  pollingExpectedMs: number;
  trapMs: number;
  rounds: number;
}

const INTERVAL_MS = 2_000;
const TIMEOUT_MS = 1_000;
const DOWN_AFTER_POLLS = 3;

async function measureLatency(rounds = 3): Promise<Latency> {
  const log = pino({ level: "silent" });
  const dir = mkdtempSync(join(tmpdir(), "emcomm-latency-"));
  const polled = Array.from({ length: rounds }, (_, i) => `polled-modem-${i}`);
  const trapped = Array.from({ length: rounds }, (_, i) => `trap-modem-${i}`);
  const sim = await startSnmpSimulator(
    [...polled, ...trapped].map((id) => ({
      id,
      kind: "satellite-modem",
      site: "lab",
      driver: { protocol: "snmp", profile: "satellite-modem" },
    })),
    { clock: systemClock, log },
    { trapTarget: null },
  );
  // The trap modems are polled hourly: only the trap's re-poll can see their fault in time.
  const device = (id: string) => ({
    id,
    name: { zh: id, en: id },
    site: "lab",
    system: "lab",
    kind: "satellite-modem",
    vendor: "sim",
    model: "sim",
    interval: trapped.includes(id) ? "1h" : `${INTERVAL_MS}ms`,
    timeout: `${TIMEOUT_MS}ms`,
    driver: {
      protocol: "snmp",
      profile: "satellite-modem",
      host: "127.0.0.1",
      port: sim.port(id),
      community: "public",
      retries: 0,
    },
  });
  const config = validateConfig({
    daemon: { dataDir: dir, traps: { enabled: true, port: 0 }, log: { level: "silent" } },
    sites: [{ id: "lab", name: { zh: "实验室", en: "Lab" }, calendar: "always" }],
    devices: [...polled, ...trapped].map(device),
    sla: {
      health: { downAfterPolls: DOWN_AFTER_POLLS },
      devices: Object.fromEntries(trapped.map((id) => [id, { downAfterPolls: 1 }])),
    },
  });
  const daemon = await startDaemon({ config, log, http: false });
  sim.setTrapTarget({ port: daemon.snmpTraps!.port! });
  const opened = new Map<string, number>();
  daemon.sla.tickets.onEvent((event, ticket) => {
    if (event.event === "opened" && !opened.has(ticket.device ?? ""))
      opened.set(ticket.device ?? "", Date.now());
  });
  const up = (id: string) => daemon.sla.health.state(id)?.state === "up";
  const once = async (id: string, fault: string): Promise<number> => {
    await waitFor(`${id} up`, () => up(id) || undefined, 30_000, 10);
    // Fault at a random point of the polling interval, as in life.
    await new Promise((r) => setTimeout(r, Math.random() * INTERVAL_MS));
    const t0 = Date.now();
    sim.inject(id, fault);
    // The ticket's own opening time is the figure; the wait only has to see it.
    const at = await waitFor(`a ticket for ${id}`, () => opened.get(id), 30_000, 10);
    return at - t0;
  };
  try {
    const polling: number[] = [];
    const trap: number[] = [];
    for (let r = 0; r < rounds; r++) {
      polling.push(await once(polled[r]!, "silent"));
      trap.push(await once(trapped[r]!, "modem-unlock"));
    }
    return {
      pollingMs: median(polling),
      pollingExpectedMs: DOWN_AFTER_POLLS * INTERVAL_MS + TIMEOUT_MS,
      trapMs: median(trap),
      rounds,
    };
  } finally {
    await daemon.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds from the fault to the webhook call, or why it was not measured. */
async function measureAlertLatency(): Promise<{ ms: number } | { skipped: string }> {
  const missing = missingPeers("prometheus", "alertmanager");
  if (missing) return { skipped: missing };
  const dir = mkdtempSync(join(tmpdir(), "emcomm-alert-latency-"));
  const phones = await startPhones();
  const calls = phones.calls;
  const stops: (() => unknown)[] = [
    () => phones.close(),
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  try {
    const demo = await startFastDemo(join(dir, "demo"), ["duty-system"]);
    stops.push(() => demo.stop());
    const am = renderAlertmanager(join(dir, "alertmanager"), phones.url);
    const alertmanager = await startAlertmanager(am.file, join(dir, "alertmanager"));
    stops.push(() => alertmanager.stop());
    const prometheus = await startPrometheus(
      renderPrometheus(join(dir, "prometheus"), {
        daemon: new URL(demo.daemon.url!).host,
        alertmanager: new URL(alertmanager.url).host,
      }),
      join(dir, "prometheus"),
    );
    stops.push(() => prometheus.stop());
    await waitFor(
      "duty-system up in Prometheus",
      async () =>
        (await promQuery(prometheus.url, 'emcomm_device_up{device="duty-system"} == 1')).length === 1 ||
        undefined,
      30_000,
    );
    const injectedAt = Date.now();
    demo.fleet.inject("duty-system", "silent");
    const call = await waitFor(
      "the gateway call for the bureau's duty contact",
      () =>
        calls.find(
          (c) =>
            c.path.startsWith("/gateway/") &&
            c.at >= injectedAt &&
            c.to === "bureau-duty" &&
            c.body.includes("duty-system"),
        ),
      60_000,
    );
    return { ms: call.at - injectedAt };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

const latency = await measureLatency();
console.log(
  `  link drop → ticket: by polling ${latency.pollingMs} ms (at most ${latency.pollingExpectedMs} ms), by trap ${latency.trapMs} ms (medians of ${latency.rounds})`,
);
const alert = await measureAlertLatency();
if ("skipped" in alert) console.log(`  fault → Alertmanager webhook not measured: ${alert.skipped}`);
const figures: Figure[] = [
  {
    name: "link drop → ticket by polling",
    value: latency.pollingMs,
    unit: "ms",
    anchor: "not measured",
    goal: `≤ ${latency.pollingExpectedMs} (N × interval + timeout)`,
    met: latency.pollingMs <= latency.pollingExpectedMs,
  },
  {
    name: "trap → ticket",
    value: latency.trapMs,
    unit: "ms",
    anchor: "not measured",
    goal: "< 2000",
    met: latency.trapMs < 2000,
  },
  {
    name: "fault → Alertmanager webhook",
    value: "ms" in alert ? alert.ms : null,
    unit: "ms",
    anchor: "4–5 s (e2e test)",
    goal: "report",
  },
];
recordFigures("latency", figures);
