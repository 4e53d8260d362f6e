/**
 * A month on a FakeClock without timers: every device is "polled" each step by publishing a
 * PollOutcome straight into the health engine, the engines' ticks run each step, and scheduled
 * actions (ticket steps, windows, deployments, a crash and restart) run at their minute. The
 * clock is positioned with clock.set(), so 43,200 steps take about a second. A Harness has what
 * the API's routes need (`slaRoutes(h)`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach } from "vitest";
import { validateConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import type { AccountingPolicy } from "../../src/config/sla-schema.ts";
import { FakeClock } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import type { Sample } from "../../src/core/types.ts";
import { HealthEngine } from "../../src/health/engine.ts";
import { addWindow, type MaintenanceWindow } from "../../src/ledger/store.ts";
import { type Db, openStore } from "../../src/store/db.ts";
import { TicketEngine } from "../../src/tickets/engine.ts";
import { openedTicket } from "../../src/tickets/store.ts";

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** 2026-11-01 00:00 Asia/Shanghai. */
export const NOV = Date.UTC(2026, 9, 31, 16, 0, 0);
/** Local time in November 2026: at(3, "08:02"). */
export const at = (day: number, hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return NOV + (day - 1) * DAY + h * HOUR + m * MIN;
};

export type PollResult = "ok" | "fail" | Sample[];

export function tcpDevice(
  id: string,
  site: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    name: { zh: id, en: id },
    site,
    system: site,
    kind: "switch",
    vendor: "test",
    model: "test",
    interval: "60s",
    driver: { protocol: "tcp", host: "127.0.0.1", port: 9 },
    ...extra,
  };
}

export class Harness {
  readonly clock: FakeClock;
  readonly dir: string;
  readonly config: Config;
  db!: Db;
  health!: HealthEngine;
  tickets!: TicketEngine;
  private runId = 0;
  readonly log = pino({ level: "silent" });

  constructor(raw: Record<string, unknown>, start = NOV) {
    this.clock = new FakeClock(start);
    this.dir = mkdtempSync(join(tmpdir(), "emcomm-sla-"));
    this.config = validateConfig({ ...raw, daemon: { dataDir: this.dir } });
    this.boot(null);
  }

  /** Opens the store and the engines as the daemon does; `previousRunEnd` as after a restart. */
  boot(previousRunEnd: number | null): void {
    this.db = openStore(this.dir);
    const now = this.clock.now();
    this.runId = (
      this.db
        .prepare(
          "INSERT INTO daemon_runs (started_at, heartbeat_at, version, config_digest) VALUES (?, ?, 'test', 'test') RETURNING id",
        )
        .get(now, now) as { id: number }
    ).id;
    this.health = new HealthEngine({
      db: this.db,
      config: this.config,
      clock: this.clock,
      log: this.log,
      rules: new Map(),
    });
    this.tickets = new TicketEngine({ db: this.db, config: this.config, clock: this.clock, log: this.log });
    this.health.onTransition((t, h) => this.tickets.onTransition(t, h));
    this.health.resume(previousRunEnd);
  }

  /** The process dies: nothing is flushed or stopped (all writes were synchronous). */
  crash(): number {
    const heartbeat = this.clock.now();
    this.db.prepare("UPDATE daemon_runs SET heartbeat_at = ? WHERE id = ?").run(heartbeat, this.runId);
    this.db.close();
    return heartbeat;
  }

  poll(device: string, result: PollResult): void {
    const now = this.clock.now();
    this.health.observe({
      deviceId: device,
      trigger: "schedule",
      startedAt: now,
      finishedAt: now + 5,
      samples:
        result === "fail" ? [] : result === "ok" ? [{ metric: "tcp_connect_seconds", value: 0.01 }] : result,
      ...(result === "fail" ? { error: new PollError("timeout", `${device}: no answer`) } : {}),
    });
  }

  /**
   * Steps minute by minute over [from, to): actions due at a minute run first, then the ticks,
   * then one poll of every device with `world(device, t)`.
   */
  run(
    from: number,
    to: number,
    world: (device: string, t: number) => PollResult,
    actions: Map<number, (() => void)[]>,
  ): void {
    const ids = this.config.devices.map((d) => d.id);
    for (let t = from; t < to; t += MIN) {
      this.clock.set(t);
      for (const fn of actions.get(t) ?? []) fn();
      this.health.tick();
      this.tickets.tick();
      for (const id of ids) this.poll(id, world(id, t));
    }
    this.clock.set(to);
  }

  /**
   * A window the engineer requests and the supervisor approves, both at the clock's instant; the
   * health engine takes it into account at once.
   */
  approvedWindow(
    w: Pick<MaintenanceWindow, "kind" | "startsAt" | "endsAt" | "why"> &
      Partial<Pick<MaintenanceWindow, "devices" | "sites" | "approvalRef">>,
  ): MaintenanceWindow {
    const now = this.clock.now();
    const window = addWindow(this.db, {
      devices: [],
      sites: [],
      approvalRef: null,
      ...w,
      who: engineer.name,
      createdAt: now,
      status: "approved",
      approvedBy: supervisor.name,
      approvedAt: now,
    });
    this.health.refreshWindows();
    return window;
  }

  close(): void {
    if (this.db.open) this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const engineer = { name: "li.engineer", role: "engineer" as const };
export const supervisor = { name: "wang.bureau", role: "supervisor" as const };

/** The API tokens of `engineer` and `supervisor` in the test inventories. */
export const tokens = { supervisor: "sup-token-0123456789", engineer: "eng-token-0123456789" };

/** `sla.api` of a test inventory: the engineer and the supervisor with their tokens, no open reads. */
export const apiUsers = {
  tokens: [
    { name: supervisor.name, role: supervisor.role, token: tokens.supervisor },
    { name: engineer.name, role: engineer.role, token: tokens.engineer },
  ],
  openReadsOnLoopback: false,
};

/** An automatic ticket as the engine opens it for an unreachable device, for tests that write the store. */
export const unreachableTicket = (device: string, site: string, at: number, symptom = "no answer") =>
  openedTicket({
    device,
    site,
    code: "unreachable",
    level: "general",
    source: "auto",
    reportedAt: at,
    faultStart: at,
    repeatOf: null,
    flapping: false,
    symptom,
    faultType: null,
    openedBy: "monitor",
  });

const siteNames = {
  fixed: { zh: "固定站", en: "Fixed" },
  trunking: { zh: "集群", en: "Trunking" },
  vehicle: { zh: "指挥车", en: "Vehicle" },
};

/** A site of the test inventories, with its name: `site("vehicle", { calendar: "deployed" })`. */
export const site = (id: keyof typeof siteNames, extra: Record<string, unknown> = {}) => ({
  id,
  name: siteNames[id],
  ...extra,
});

/** One fixed site, enough for a test about devices rather than calendars. */
export const fixedSite = [site("fixed")];

/** The modem's degraded rule: Eb/No under 6 dB. */
export const ebnoLowRule = {
  code: "ebno_low",
  severity: "degraded",
  metric: "modem_ebno_db",
  op: "<",
  value: 6,
  description: { zh: "Eb/No低", en: "Eb/No low" },
};

/** An accounting policy in force since 2000: only `down` counts, time-weighted, with `x` over it. */
export const policyWith = (x: Partial<AccountingPolicy>): AccountingPolicy => ({
  version: "t",
  from: "2000-01-01",
  downStates: ["down"],
  newDevices: "from-first-seen",
  aggregate: "time-weighted",
  ...x,
});

/** Opens a Harness per test and closes it after the test: `const open = harnessPerTest();`. */
export function harnessPerTest(): (raw: Record<string, unknown>, start?: number) => Harness {
  let h: Harness | undefined;
  afterEach(() => {
    h?.close();
    h = undefined;
  });
  return (raw, start) => {
    h = new Harness(raw, start);
    return h;
  };
}
