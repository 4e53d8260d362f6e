/**
 * The health engine: turns every PollOutcome into a per-device state with hysteresis, overlays
 * the service calendar, maintenance windows and upstream dependencies, and appends every change
 * of the resulting state to the ledger (state_transitions) before telling its listeners (the
 * ticket engine, metrics). It coordinates; each job has its module: debounce.ts (polls → raw
 * health), overlays.ts (windows, calendar, unmonitored, upstream), calendar.ts (site
 * declarations), record.ts (the transition, its listeners), flapping.ts, tracker.ts (per device).
 *
 * Who calls it: the daemon's pipeline (`observe`, synchronously, once per outcome), a periodic
 * `tick()` (window and calendar boundaries; only the live view depends on its timing, the ledger
 * reads windows and declarations directly), and the API/CLI (`declareSite`, `refreshWindows`).
 * Single-threaded; every write is one synchronous SQLite statement, so a kill -9 loses at most the
 * poll in flight, never a recorded transition.
 *
 * A transition never starts before the device's previous one (times are clamped), so each
 * device's ledger is ordered.
 */
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import type { PollOutcome } from "../core/outcome.ts";
import type { HealthRule } from "../core/types.ts";
import { type Deployment, type MaintenanceWindow, windowsBetween } from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import { StoreWriter } from "../store/writer.ts";
import { SiteCalendar } from "./calendar.ts";
import { debounce, debounceLimits, declareDown, startAfresh } from "./debounce.ts";
import { pruneFlapping } from "./flapping.ts";
import { blocking, type OverlayContext, overlay, overlayExit } from "./overlays.ts";
import { type TransitionListener, TransitionRecorder } from "./record.ts";
import { observe } from "./rules.ts";
import {
  type DeviceHealth,
  type Effective,
  newTracker,
  restoreTrackers,
  type Tracker,
  viewOf,
} from "./tracker.ts";

export type { TransitionListener } from "./record.ts";
export type { DeviceHealth } from "./tracker.ts";

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

export class HealthEngine {
  private readonly trackers = new Map<string, Tracker>();
  private readonly dependents = new Map<string, string[]>();
  private readonly calendar: SiteCalendar;
  private readonly recorder: TransitionRecorder;
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
    this.recorder = new TransitionRecorder({
      db: this.db,
      writer: this.writer,
      clock: this.clock,
      log: this.log,
      flapping: this.sla.health.flapping,
    });
    for (const device of options.config.devices) {
      const o = this.sla.devices[device.id];
      const ignore = new Set(o?.ignore ?? []);
      const rules = [
        ...(options.rules.get(device.id) ?? []).filter((r) => !ignore.has(r.code)),
        ...((o?.rules ?? []) as HealthRule[]),
      ];
      this.trackers.set(device.id, newTracker(device, rules));
      if (device.upstream)
        this.dependents.set(device.upstream, [...(this.dependents.get(device.upstream) ?? []), device.id]);
    }
    restoreTrackers(this.db, this.trackers, this.clock.now(), this.sla.health.flapping.window);
    this.calendar = new SiteCalendar(this.db, options.config);
    this.refreshWindows();
  }

  onTransition(fn: TransitionListener): void {
    this.recorder.onTransition(fn);
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
    if (!outcome.error)
      for (const d of this.calendar.presenceChanges(outcome))
        this.declareSite(d.site, d.deployed, d.who, d.note, d.at);
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
    const upstream = t.device.upstream ? this.trackers.get(t.device.upstream) : undefined;
    const changedAt = debounce(
      t,
      observe(outcome, t.rules),
      outcome.startedAt,
      debounceLimits(this.sla, t.device.id),
      () => Boolean(upstream?.failRun),
    );
    if (changedAt !== null) this.evaluate(t, changedAt);
  }

  /** Re-evaluates windows and calendars for every device (call every few seconds and after changes). */
  tick(): void {
    const now = this.clock.now();
    for (const t of this.trackers.values()) {
      pruneFlapping(t, now, this.sla.health.flapping);
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
    if (!this.calendar.has(site)) throw new RangeError(`no site ${site}`);
    const now = this.clock.now();
    const d = this.calendar.declare(
      { site, deployed, who, at: at ?? now, ...(note !== undefined ? { note } : {}) },
      now,
    );
    // Equipment switched on at deployment starts afresh: failures while parked in the garage
    // are not an outage, so it must fail N polls in service before it is declared down.
    if (deployed)
      for (const t of this.trackers.values())
        if (t.device.site === site && t.device.calendar === "site" && t.raw?.state === "down") startAfresh(t);
    this.log.info({ site, deployed, who }, deployed ? "site declared deployed" : "site stood down");
    this.tick();
    return d;
  }

  /** Whether the site is expected in service at `at` (always-calendar sites always are). */
  siteInService(site: string, at = this.clock.now()): boolean {
    return this.calendar.inService(site, at);
  }

  state(deviceId: string): DeviceHealth | undefined {
    const t = this.trackers.get(deviceId);
    return t ? viewOf(t) : undefined;
  }

  states(): DeviceHealth[] {
    return [...this.trackers.values()].map(viewOf);
  }

  sites(): { site: string; calendar: "always" | "deployed"; inService: boolean; last: Deployment | null }[] {
    return this.calendar.sites(this.clock.now());
  }

  // ── internals ────────────────────────────────────────────────────────────

  private get overlays(): OverlayContext {
    return { windows: this.windows, calendar: this.calendar, trackers: this.trackers, sla: this.sla };
  }

  private evaluate(t: Tracker, eventAt: number): void {
    const now = this.clock.now();
    const prev = t.effective;
    const ctx = this.overlays;
    const next = overlay(t, now, ctx);
    if (!next) return;
    const { eff } = next;
    if (prev && prev.state === eff.state && prev.code === eff.code) return;
    const at = overlayExit(t, prev, next.at, next.at ?? eventAt, now, ctx);
    this.record(t, eff, Math.min(Math.max(at, t.lastAt), now));
  }

  private record(t: Tracker, eff: Effective, at: number): void {
    const prev = t.effective;
    this.recorder.record(t, eff, at);
    // Devices behind this one: impacted while it blocks them; on recovery, held until their own polls decide.
    for (const id of this.dependents.get(t.device.id) ?? []) {
      const d = this.trackers.get(id)!;
      const wasBlocking = prev !== null && blocking.has(prev.state);
      const isBlocking = blocking.has(eff.state);
      if (isBlocking && d.failRun && d.raw?.state !== "down") {
        const firstAt = declareDown(d);
        this.evaluate(d, Math.max(firstAt, at));
        continue;
      }
      if (wasBlocking && !isBlocking && d.effective?.state === "impacted")
        d.hold = { fails: 0, firstFail: null };
      this.evaluate(d, at);
    }
  }
}
