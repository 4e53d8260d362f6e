/**
 * The health engine: turns every PollOutcome into a per-device state with hysteresis, overlays
 * the service calendar, maintenance windows and upstream dependencies, and appends every change
 * of the resulting state to the ledger (state_transitions) before telling its listeners (the
 * ticket engine, metrics).
 *
 * Who calls it: the daemon's pipeline (`observe`, synchronously, once per outcome), a periodic
 * `tick()` (window and calendar boundaries; only the live view depends on its timing, the ledger
 * reads windows and declarations directly), and the API/CLI (`declareSite`, `refreshWindows`).
 * Single-threaded; every write is one synchronous SQLite statement, so a kill -9 loses at most the
 * poll in flight, never a recorded transition.
 *
 * Time rules: a device is declared down after N consecutive failed polls or T since the first of
 * them, and the recorded state begins AT THE FIRST FAILED POLL; it is declared up after M good
 * polls, and the up state begins at the first good poll of that run. A transition never starts
 * before the device's previous one (times are clamped), so each device's ledger is ordered.
 */
import type { Logger } from "pino";
import type { Config, DeviceConfig } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { PollOutcome } from "../core/outcome.ts";
import type { HealthRule } from "../core/types.ts";
import {
  appendTransition,
  type Deployment,
  type DeviceState,
  declareDeployment,
  deployments,
  downTransitionsSince,
  latestTransitions,
  type MaintenanceWindow,
  type Transition,
  windowCovers,
  windowsBetween,
} from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import { isStorageError, StoreWriter } from "../store/writer.ts";
import { type Observation, observe, ruleMatches } from "./rules.ts";

type RawState = "up" | "degraded" | "down";

interface Raw {
  state: RawState;
  code: string | null;
  cause: string;
  linkDrop: boolean;
}

interface Effective {
  state: DeviceState;
  code: string | null;
  cause: string;
  detail: Record<string, unknown>;
}

interface Tracker {
  device: DeviceConfig;
  rules: readonly HealthRule[];
  raw: Raw | null;
  failRun: { count: number; firstAt: number; obs: Exclude<Observation, { kind: "ok" }> } | null;
  goodRun: { count: number; firstAt: number; obs: Observation } | null;
  /** After an upstream recovered: stay impacted until the device's own polls decide. */
  hold: { fails: number; firstFail: number | null } | null;
  effective: Effective | null;
  since: number | null;
  lastAt: number;
  downTimes: number[];
  flapping: boolean;
  window: MaintenanceWindow | null;
  /** The monitor itself cannot poll the device (config or internal error): never the device's fault. */
  blind: { since: number; kind: string } | null;
}

/** The live view of one device, for the API and metrics. */
export interface DeviceHealth {
  device: string;
  site: string;
  kind: string;
  /** null until the first poll decided anything. */
  state: DeviceState | null;
  since: number | null;
  code: string | null;
  cause: string | null;
  flapping: boolean;
  /** The state came from a rule flagged as a link drop, or from the far end not answering. */
  linkDrop: boolean;
  /** The outage is a third party's (own flag, or an impacted state whose root cause is). */
  thirdParty: boolean;
  upstream: string | null;
}

export type TransitionListener = (transition: Transition, health: DeviceHealth) => void;

export interface HealthEngineOptions {
  db: Db;
  config: Pick<Config, "sites" | "devices" | "sla">;
  clock: Clock;
  log: Logger;
  /** The profile rules of each device (driver.rules). */
  rules: ReadonlyMap<string, readonly HealthRule[]>;
  /** The daemon's writer (keeps writes while the store cannot write); default: one of its own. */
  writer?: StoreWriter;
}

const monitorFault: ReadonlySet<string> = new Set(["config", "internal", "local"]);

const blocking: ReadonlySet<DeviceState> = new Set(["down", "impacted", "maintenance", "not-in-service"]);

export class HealthEngine {
  private readonly trackers = new Map<string, Tracker>();
  private readonly dependents = new Map<string, string[]>();
  private readonly listeners: TransitionListener[] = [];
  private readonly siteCalendar: Map<string, "always" | "deployed">;
  private declarations = new Map<string, Deployment[]>();
  private windows: MaintenanceWindow[] = [];
  private readonly db: Db;
  /** Keeps transitions the store could not write and writes them, in order, when it can. */
  readonly writer: StoreWriter;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly sla: Config["sla"];

  constructor(options: HealthEngineOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.log = options.log;
    this.writer = options.writer ?? new StoreWriter({ clock: options.clock, log: options.log });
    this.sla = options.config.sla;
    this.siteCalendar = new Map(options.config.sites.map((s) => [s.id, s.calendar]));
    for (const device of options.config.devices) {
      const o = this.sla.devices[device.id];
      const ignore = new Set(o?.ignore ?? []);
      const rules = [
        ...(options.rules.get(device.id) ?? []).filter((r) => !ignore.has(r.code)),
        ...((o?.rules ?? []) as HealthRule[]),
      ];
      this.trackers.set(device.id, {
        device,
        rules,
        raw: null,
        failRun: null,
        goodRun: null,
        hold: null,
        effective: null,
        since: null,
        lastAt: Number.NEGATIVE_INFINITY,
        downTimes: [],
        flapping: false,
        window: null,
        blind: null,
      });
      if (device.upstream)
        this.dependents.set(device.upstream, [...(this.dependents.get(device.upstream) ?? []), device.id]);
    }
    this.restore();
    this.reloadDeclarations();
    this.refreshWindows();
  }

  onTransition(fn: TransitionListener): void {
    this.listeners.push(fn);
  }

  /**
   * After a restart: the time between the previous run's last sign of life and now was not
   * watched. Every device with a recorded state gets `unmonitored` from then and its previous
   * state back now, so open outages continue (their tickets are not reopened) and the gap never
   * counts against anyone. Call once, after the listeners are attached.
   */
  resume(previousRunEnd: number | null): void {
    const now = this.clock.now();
    for (const t of this.trackers.values()) {
      const prev = t.effective;
      if (!prev || prev.state === "unmonitored" || previousRunEnd === null) continue;
      const gapStart = Math.max(previousRunEnd, t.lastAt);
      if (gapStart >= now) continue;
      this.record(
        t,
        { state: "unmonitored", code: null, cause: "monitor not running", detail: {} },
        gapStart,
      );
      this.record(t, { ...prev, cause: `monitoring resumed: ${prev.cause}` }, now);
    }
  }

  /** Pipeline consumer: one poll (or stream batch) of one device. */
  observe(outcome: PollOutcome): void {
    const t = this.trackers.get(outcome.deviceId);
    if (!t) return;
    if (!outcome.error) this.presence(outcome);
    // The monitor's own faults (its config, a bug, its host's resources) say nothing about the device.
    if (outcome.error && monitorFault.has(outcome.error.kind)) {
      if (t.blind) return;
      t.blind = { since: outcome.startedAt, kind: outcome.error.kind };
      t.failRun = null;
      t.goodRun = null;
      this.evaluate(t, outcome.startedAt);
      return;
    }
    if (t.blind) {
      t.blind = null;
      if (t.raw?.state !== "down")
        t.raw = null; // decided afresh from this poll on
      else this.evaluate(t, outcome.startedAt); // still down: back from unmonitored to down
    }
    const obs = observe(outcome, t.rules);
    const at = outcome.startedAt;
    const o = this.sla.devices[t.device.id];
    const downAfterPolls = o?.downAfterPolls ?? this.sla.health.downAfterPolls;
    const downAfter = o?.downAfter ?? this.sla.health.downAfter;
    const upAfterPolls = o?.upAfterPolls ?? this.sla.health.upAfterPolls;

    if (obs.kind === "down") {
      t.goodRun = null;
      if (t.hold) {
        t.hold.fails++;
        t.hold.firstFail ??= at;
        if (t.hold.fails >= downAfterPolls) {
          const firstFail = t.hold.firstFail;
          t.hold = null;
          t.raw = { state: "down", code: obs.code, cause: obs.cause, linkDrop: obs.linkDrop };
          this.evaluate(t, firstFail);
        }
        return;
      }
      if (t.raw?.state === "down") return;
      t.failRun ??= { count: 0, firstAt: at, obs };
      t.failRun.count++;
      const due = t.failRun.count >= downAfterPolls || at - t.failRun.firstAt >= downAfter;
      if (!due) return;
      // Wait for a failing upstream to be declared first (bounded), so devices behind it are
      // recorded as impacted and open no tickets of their own.
      const up = t.device.upstream ? this.trackers.get(t.device.upstream) : undefined;
      if (up?.failRun && t.failRun.count < 2 * downAfterPolls) return;
      this.declareDown(t);
      return;
    }

    t.failRun = null;
    if (t.raw?.state === "down") {
      t.goodRun ??= { count: 0, firstAt: at, obs };
      t.goodRun.count++;
      if (t.goodRun.count < upAfterPolls) return;
      const firstGood = t.goodRun.firstAt;
      t.goodRun = null;
      t.hold = null;
      t.raw = rawOf(obs);
      this.evaluate(t, firstGood);
      return;
    }
    t.hold = null;
    const next = rawOf(obs);
    if (t.raw && t.raw.state === next.state && t.raw.code === next.code) return;
    t.raw = next;
    this.evaluate(t, at);
  }

  /** Re-evaluates windows and calendars for every device (call every few seconds and after changes). */
  tick(): void {
    const now = this.clock.now();
    for (const t of this.trackers.values()) {
      this.pruneFlapping(t, now);
      this.evaluate(t, now);
    }
  }

  /** Reloads approved windows that are active now or later (after the API added or approved one). */
  refreshWindows(): void {
    const now = this.clock.now();
    this.windows = windowsBetween(this.db, now - 1, Number.MAX_SAFE_INTEGER, true);
  }

  /** Declares a `deployed`-calendar site deployed (in service) or stood down, with who and when. */
  declareSite(site: string, deployed: boolean, who: string, note?: string, at?: number): Deployment {
    if (!this.siteCalendar.has(site)) throw new RangeError(`no site ${site}`);
    const now = this.clock.now();
    const d = declareDeployment(this.db, {
      site,
      deployed,
      at: at ?? now,
      recordedAt: now,
      who,
      note: note ?? null,
    });
    this.reloadDeclarations();
    // Equipment switched on at deployment starts afresh: failures while parked in the garage
    // are not an outage, so it must fail N polls in service before it is declared down.
    if (deployed)
      for (const t of this.trackers.values())
        if (t.device.site === site && t.device.calendar === "site" && t.raw?.state === "down") {
          t.raw = null;
          t.failRun = null;
          t.goodRun = null;
          t.hold = null;
        }
    this.log.info({ site, deployed, who }, deployed ? "site declared deployed" : "site stood down");
    this.tick();
    return d;
  }

  /** Whether the site is expected in service at `at` (always-calendar sites always are). */
  siteInService(site: string, at = this.clock.now()): boolean {
    if (this.siteCalendar.get(site) !== "deployed") return true;
    return this.lastDeclaration(site, at)?.deployed ?? false;
  }

  state(deviceId: string): DeviceHealth | undefined {
    const t = this.trackers.get(deviceId);
    return t ? this.view(t) : undefined;
  }

  states(): DeviceHealth[] {
    return [...this.trackers.values()].map((t) => this.view(t));
  }

  sites(): { site: string; calendar: "always" | "deployed"; inService: boolean; last: Deployment | null }[] {
    return [...this.siteCalendar].map(([site, calendar]) => ({
      site,
      calendar,
      inService: this.siteInService(site),
      last: this.lastDeclaration(site, this.clock.now()) ?? null,
    }));
  }

  // ── internals ────────────────────────────────────────────────────────────

  /** Presence signals: a site follows the condition on its presence device's answered polls. */
  private presence(outcome: PollOutcome): void {
    for (const [site, p] of Object.entries(this.sla.presence)) {
      if (p.device !== outcome.deviceId || this.siteCalendar.get(site) !== "deployed") continue;
      const rule = { code: "presence", severity: "down", description: { zh: "", en: "" }, ...p } as const;
      const present = ruleMatches(rule, outcome.samples);
      if (present === this.siteInService(site, outcome.startedAt)) continue;
      this.declareSite(
        site,
        present,
        `presence ${p.device}`,
        `${p.metric} ${p.op} ${p.value}`,
        outcome.startedAt,
      );
    }
  }

  private declareDown(t: Tracker): void {
    const run = t.failRun!;
    t.failRun = null;
    t.raw = { state: "down", code: run.obs.code, cause: run.obs.cause, linkDrop: run.obs.linkDrop };
    this.evaluate(t, run.firstAt);
  }

  private lastDeclaration(site: string, at: number): Deployment | undefined {
    let last: Deployment | undefined;
    for (const d of this.declarations.get(site) ?? []) if (d.at <= at) last = d;
    return last;
  }

  private reloadDeclarations(): void {
    const by = new Map<string, Deployment[]>();
    for (const d of deployments(this.db)) by.set(d.site, [...(by.get(d.site) ?? []), d]);
    this.declarations = by;
  }

  private restore(): void {
    const latest = latestTransitions(this.db);
    const window = this.sla.health.flapping.window;
    const recentDowns = downTransitionsSince(this.db, this.clock.now() - window);
    for (const [device, at] of recentDowns) this.trackers.get(device)?.downTimes.push(at);
    for (const [device, tr] of latest) {
      const t = this.trackers.get(device);
      if (!t) continue;
      const raw = tr.detail?.raw as Raw | undefined;
      t.raw = raw ?? null;
      t.effective = { state: tr.state, code: tr.code, cause: tr.cause, detail: tr.detail ?? {} };
      t.since = tr.at;
      t.lastAt = tr.at;
      t.flapping = tr.detail?.flapping === true;
    }
  }

  /** The state the device is in now, from its raw health and the overlays; `at` is the event time. */
  private compute(t: Tracker, now: number): { eff: Effective; at?: number } | null {
    const { device } = t;
    const window = this.windows.find(
      (w) => w.startsAt <= now && now < w.endsAt && windowCovers(w, device.id, device.site),
    );
    t.window = window ?? null;
    if (window)
      return {
        eff: {
          state: "maintenance",
          code: null,
          cause: `${window.kind} #${window.id}: ${window.why}`,
          detail: { window: window.id, raw: t.raw },
        },
        at: window.startsAt,
      };
    if (device.calendar === "site" && this.siteCalendar.get(device.site) === "deployed") {
      const last = this.lastDeclaration(device.site, now);
      if (!last?.deployed)
        return {
          eff: {
            state: "not-in-service",
            code: null,
            cause: `site ${device.site} not deployed`,
            detail: { raw: t.raw },
          },
          ...(last ? { at: last.at } : {}),
        };
    }
    if (t.blind)
      return {
        eff: {
          state: "unmonitored",
          code: null,
          cause: `monitor cannot poll it (${t.blind.kind} error)`,
          detail: { raw: t.raw },
        },
      };
    const raw = t.raw;
    if (!raw) return null;
    const ownThirdParty = this.sla.devices[device.id]?.thirdParty ?? false;
    if (raw.state === "down" || t.hold) {
      const upstream = this.upstreamCause(t);
      if (upstream || t.hold)
        return {
          eff: {
            state: "impacted",
            code: raw.code,
            cause: upstream
              ? `upstream ${upstream.root} ${upstream.state}`
              : "upstream recovered; awaiting own polls",
            detail: {
              upstream: upstream?.root ?? null,
              thirdParty: upstream?.thirdParty ?? false,
              raw,
            },
          },
        };
    }
    return {
      eff: {
        state: raw.state,
        code: raw.state === "up" ? null : raw.code,
        cause: raw.cause,
        detail: {
          raw,
          ...(ownThirdParty && raw.state !== "up" ? { thirdParty: true } : {}),
          linkDrop: raw.linkDrop,
        },
      },
    };
  }

  private upstreamCause(t: Tracker): { root: string; state: DeviceState; thirdParty: boolean } | null {
    const id = t.device.upstream;
    if (!id) return null;
    const u = this.trackers.get(id);
    const eff = u?.effective;
    if (!u || !eff || !blocking.has(eff.state)) return null;
    if (eff.state === "impacted" && typeof eff.detail.upstream === "string")
      return { root: eff.detail.upstream, state: eff.state, thirdParty: eff.detail.thirdParty === true };
    return { root: id, state: eff.state, thirdParty: this.sla.devices[id]?.thirdParty ?? false };
  }

  private evaluate(t: Tracker, eventAt: number): void {
    const now = this.clock.now();
    const prev = t.effective;
    const next = this.compute(t, now);
    if (!next) return;
    const { eff } = next;
    if (prev && prev.state === eff.state && prev.code === eff.code) return;
    let at = next.at ?? eventAt;
    // Leaving an overlay: the change happened at its boundary, not at this tick.
    if (prev?.state === "maintenance" && typeof prev.detail.window === "number") {
      const w = this.windows.find((x) => x.id === prev.detail.window);
      if (w && w.endsAt <= now) at = Math.max(w.endsAt, Math.min(at, now));
    }
    if (prev?.state === "not-in-service" && next.at === undefined) {
      const last = this.lastDeclaration(t.device.site, now);
      if (last?.deployed) at = Math.max(last.at, Math.min(at, now));
    }
    this.record(t, eff, Math.min(Math.max(at, t.lastAt), now));
  }

  /**
   * Appends the transition, then tells the listeners (the ticket engine, the sinks). While the store
   * cannot write, the writer keeps this (in order, with its original times) and runs it again:
   * the row is appended once, and only the listeners that could not write yet are called again.
   */
  private store(row: Omit<Transition, "id">, view: DeviceHealth): void {
    let transition: Transition | undefined;
    let waiting = [...this.listeners];
    this.writer.write("transition", () => {
      transition ??= appendTransition(this.db, row);
      let storeError: unknown;
      waiting = waiting.filter((fn) => {
        try {
          fn(transition!, view);
          return false;
        } catch (err) {
          if (isStorageError(err)) {
            storeError ??= err;
            return true;
          }
          this.log.error({ err, device: row.device }, "transition listener failed");
          return false;
        }
      });
      if (storeError) throw storeError;
    });
  }

  private record(t: Tracker, eff: Effective, at: number): void {
    const prev = t.effective;
    const now = this.clock.now();
    if (eff.state === "down" && prev?.state !== "down") {
      t.downTimes.push(at);
      this.pruneFlapping(t, now);
      if (!t.flapping && t.downTimes.length >= this.sla.health.flapping.transitions) {
        t.flapping = true;
        this.log.warn({ device: t.device.id, downs: t.downTimes.length }, "device flapping");
      }
    }
    const detail = { ...eff.detail, ...(t.flapping ? { flapping: true } : {}) };
    const row = {
      device: t.device.id,
      site: t.device.site,
      state: eff.state,
      previous: prev?.state ?? null,
      at,
      recordedAt: now,
      code: eff.code,
      cause: eff.cause,
      detail,
    };
    t.effective = { ...eff, detail };
    t.since = at;
    t.lastAt = at;
    const level = eff.state === "down" || eff.state === "impacted" ? "warn" : "info";
    this.log[level](
      {
        device: t.device.id,
        state: eff.state,
        previous: prev?.state ?? null,
        code: eff.code,
        at: new Date(at).toISOString(),
      },
      `device ${eff.state}`,
    );
    this.store(row, this.view(t));
    // Devices behind this one: impacted while it blocks them; on recovery, held until their own polls decide.
    for (const id of this.dependents.get(t.device.id) ?? []) {
      const d = this.trackers.get(id)!;
      const wasBlocking = prev !== null && blocking.has(prev.state);
      const isBlocking = blocking.has(eff.state);
      if (isBlocking && d.failRun && d.raw?.state !== "down") {
        const firstAt = d.failRun.firstAt;
        d.raw = {
          state: "down",
          code: d.failRun.obs.code,
          cause: d.failRun.obs.cause,
          linkDrop: d.failRun.obs.linkDrop,
        };
        d.failRun = null;
        this.evaluate(d, Math.max(firstAt, at));
        continue;
      }
      if (wasBlocking && !isBlocking && d.effective?.state === "impacted")
        d.hold = { fails: 0, firstFail: null };
      this.evaluate(d, at);
    }
  }

  private pruneFlapping(t: Tracker, now: number): void {
    const from = now - this.sla.health.flapping.window;
    t.downTimes = t.downTimes.filter((x) => x >= from);
    if (t.flapping && t.downTimes.length < this.sla.health.flapping.transitions) t.flapping = false;
  }

  private view(t: Tracker): DeviceHealth {
    const eff = t.effective;
    return {
      device: t.device.id,
      site: t.device.site,
      kind: t.device.kind,
      state: eff?.state ?? null,
      since: t.since,
      code: eff?.code ?? null,
      cause: eff?.cause ?? null,
      flapping: t.flapping,
      linkDrop: eff?.state === "down" || eff?.state === "degraded" ? (t.raw?.linkDrop ?? false) : false,
      thirdParty: eff?.detail.thirdParty === true,
      upstream: typeof eff?.detail.upstream === "string" ? eff.detail.upstream : null,
    };
  }
}

function rawOf(obs: Observation): Raw {
  if (obs.kind === "ok") return { state: "up", code: null, cause: "answering", linkDrop: false };
  return { state: obs.kind, code: obs.code, cause: obs.cause, linkDrop: obs.linkDrop };
}
