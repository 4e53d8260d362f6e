/**
 * Fault-to-ticket latency on the real daemon (startDaemon: scheduler, trap receiver, health engine,
 * tickets in SQLite), for bench/snmp.ts. One SNMP simulator serves two satellite modems; the
 * simulator's faults are the link drops:
 * - by polling: the modem stops answering ("silent"); the ticket opens after `downAfterPolls`
 *   failed polls: at most downAfterPolls × interval + the poll timeout;
 * - by trap: the modem loses its carrier ("modem-unlock") and sends its trap; the trap re-polls the
 *   device at once and the rx_unlock rule holds. With `downAfterPolls: 1` for that device (what a
 *   trap-capable device is configured with when a trap should open the ticket) the ticket opens on
 *   that re-poll; with the default 3 it waits for two more scheduled polls.
 * Each is repeated `rounds` times, on a device of its own each time (a device has one open ticket
 * per fault, and closing one is the bureau's job); medians are returned.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { startSnmpSimulator } from "../simulators/snmp/index.ts";
import { validateConfig } from "../src/config/load.ts";
import { systemClock } from "../src/core/clock.ts";
import { startDaemon } from "../src/daemon.ts";
import { median } from "./_snmp-fleet.ts";

export interface Latency {
  pollingMs: number;
  /** At most downAfterPolls × interval + timeout (the fault lands anywhere in an interval). */
  pollingExpectedMs: number;
  trapMs: number;
  rounds: number;
}

const INTERVAL_MS = 2_000;
const TIMEOUT_MS = 1_000;
const DOWN_AFTER_POLLS = 3;

export async function measureLatency(rounds = 3): Promise<Latency> {
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
  const waitFor = async (ok: () => boolean, ms: number) => {
    const until = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > until) throw new Error("latency bench: timed out waiting");
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const up = (id: string) => daemon.sla.health.state(id)?.state === "up";
  const once = async (id: string, fault: string): Promise<number> => {
    await waitFor(() => up(id), 30_000);
    // Fault at a random point of the polling interval, as in life.
    await new Promise((r) => setTimeout(r, Math.random() * INTERVAL_MS));
    const t0 = Date.now();
    sim.inject(id, fault);
    await waitFor(() => opened.has(id), 30_000);
    return opened.get(id)! - t0;
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

if (process.argv[1]?.endsWith("_snmp-latency.ts")) console.log(JSON.stringify(await measureLatency()));
