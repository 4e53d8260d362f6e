/**
 * A fleet of SNMP devices on the daemon's per-poll path, for the SNMP benches (bench/snmp.ts polls
 * 100 of them in a tight loop, bench/fleet.ts runs thousands on the real Scheduler): drivers (one
 * net-snmp session each) against snmpd ports, plus what the daemon does with every outcome: status
 * board, Prometheus record, health rules, InfluxDB line protocol.
 */
import pino from "pino";
import { BLOCK_SUPPORTED } from "../../drivers/shared/model.ts";
import { createSnmpDriver } from "../../drivers/snmp/index.ts";
import { snmpOptions } from "../../drivers/snmp/options.ts";
import { composeProfile, type Profile } from "../../drivers/snmp/profile.ts";
import { IF, ifMib } from "../../drivers/snmp/profiles/if-mib.ts";
import { system } from "../../drivers/snmp/profiles/system.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { PollOutcome } from "../../src/core/outcome.ts";
import { createSharedResources } from "../../src/core/resources.ts";
import type { PolledDriver } from "../../src/core/types.ts";
import { observe } from "../../src/health/rules.ts";
import { DaemonMetrics } from "../../src/metrics.ts";
import { encodeOutcomeBody } from "../../src/sinks/line-protocol.ts";
import { StatusBoard } from "../../src/status.ts";

/** The bench's OIDs: sysUpTime + ifName, ifAdminStatus, ifOperStatus, ifIn/OutErrors, ifHCIn/OutOctets. */
export function benchProfile(): Profile {
  const table = ifMib().tables![0]!;
  return composeProfile("bench", [
    system(),
    { ...ifMib(), tables: [{ ...table, columns: table.columns.filter((c) => c.oid !== IF.ifInDiscards) }] },
  ]);
}

export interface Fleet {
  ids: string[];
  drivers: PolledDriver[];
  status: StatusBoard;
  metrics: DaemonMetrics;
  profile: Profile;
  /** What the daemon does with one outcome (pipeline consumers, minus the store). */
  record(o: PollOutcome): void;
  /** InfluxDB lines encoded so far. */
  readonly lines: number;
  close(): Promise<void>;
}

/** `count` devices, device i on ports[i % ports.length]. */
export function createFleet(ports: readonly number[], count: number, prefix = "dev"): Fleet {
  const log = pino({ level: "silent" });
  const profile = benchProfile();
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const status = new StatusBoard(ids);
  // The metrics the daemon declares for a driver (driver.metrics): the profile's and block support.
  const specs = new Map([...profile.metrics, BLOCK_SUPPORTED].map((m) => [m.name, m]));
  const metrics = new DaemonMetrics(
    ids.map((id) => ({
      id,
      site: "bench",
      kind: "switch",
      vendor: "net-snmp",
      model: "snmpd",
      criticality: "general",
      polled: true,
    })),
    specs,
    status,
  );
  const resources = createSharedResources();
  const drivers = ids.map((id, i) =>
    createSnmpDriver(
      {
        id,
        site: "bench",
        kind: "switch",
        intervalMs: 10_000,
        timeoutMs: 5_000,
        options: snmpOptions.parse({
          protocol: "snmp",
          profile: "generic-host",
          host: "127.0.0.1",
          port: ports[i % ports.length],
          community: "public",
        }),
      },
      { clock: systemClock, log, resources },
      undefined,
      profile,
    ),
  );
  const tags = { site: "bench", kind: "switch" };
  let lines = 0;
  return {
    ids,
    drivers,
    status,
    metrics,
    profile,
    record(o) {
      status.record(o);
      metrics.record(o, "switch");
      observe(o, profile.rules);
      // As the InfluxDB sink encodes an outcome: one body, its lines counted, not split.
      lines += encodeOutcomeBody(o, tags).points;
    },
    get lines() {
      return lines;
    },
    async close() {
      await Promise.all(drivers.map((d) => d.close()));
    },
  };
}
