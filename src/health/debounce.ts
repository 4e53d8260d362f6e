/**
 * Consecutive polls → the device's raw health, with hysteresis: down after N consecutive failed
 * polls or T since the first of them, beginning AT THE FIRST FAILED POLL; up after M good polls,
 * beginning at the first good poll of that run. A device held after its upstream recovered is
 * declared down after N failed polls of its own. Works on one Tracker; says when the raw health
 * changed (the event time) so the engine can evaluate the overlays.
 */
import type { Config } from "../config/schema.ts";
import type { Observation } from "./rules.ts";
import type { Raw, Tracker } from "./tracker.ts";

export interface DebounceLimits {
  downAfterPolls: number;
  downAfter: number;
  upAfterPolls: number;
}

/** The device's own limits, or the fleet's. */
export function debounceLimits(sla: Config["sla"], deviceId: string): DebounceLimits {
  const o = sla.devices[deviceId];
  return {
    downAfterPolls: o?.downAfterPolls ?? sla.health.downAfterPolls,
    downAfter: o?.downAfter ?? sla.health.downAfter,
    upAfterPolls: o?.upAfterPolls ?? sla.health.upAfterPolls,
  };
}

/**
 * Applies one observation at `at`; returns when the raw health changed (the start of the new
 * state), or null when it did not. `upstreamFailing` is asked when the device is due down: a
 * failing upstream is waited for (bounded) so the devices behind it are recorded as impacted.
 */
export function debounce(
  t: Tracker,
  obs: Observation,
  at: number,
  limits: DebounceLimits,
  upstreamFailing: () => boolean,
): number | null {
  const { downAfterPolls, downAfter, upAfterPolls } = limits;
  if (obs.kind === "down") {
    t.goodRun = null;
    if (t.hold) {
      t.hold.fails++;
      t.hold.firstFail ??= at;
      if (t.hold.fails < downAfterPolls) return null;
      const firstFail = t.hold.firstFail;
      t.hold = null;
      t.raw = { state: "down", code: obs.code, cause: obs.cause, linkDrop: obs.linkDrop };
      return firstFail;
    }
    if (t.raw?.state === "down") return null;
    t.failRun ??= { count: 0, firstAt: at, obs };
    t.failRun.count++;
    const due = t.failRun.count >= downAfterPolls || at - t.failRun.firstAt >= downAfter;
    if (!due) return null;
    if (upstreamFailing() && t.failRun.count < 2 * downAfterPolls) return null;
    return declareDown(t);
  }

  t.failRun = null;
  if (t.raw?.state === "down") {
    t.goodRun ??= { count: 0, firstAt: at, obs };
    t.goodRun.count++;
    if (t.goodRun.count < upAfterPolls) return null;
    const firstGood = t.goodRun.firstAt;
    t.goodRun = null;
    t.hold = null;
    t.raw = rawOf(obs);
    return firstGood;
  }
  t.hold = null;
  const next = rawOf(obs);
  if (t.raw && t.raw.state === next.state && t.raw.code === next.code) return null;
  t.raw = next;
  return at;
}

/** Declares the device's current run of failed polls down now; returns the run's first poll. */
export function declareDown(t: Tracker): number {
  const run = t.failRun!;
  t.failRun = null;
  t.raw = { state: "down", code: run.obs.code, cause: run.obs.cause, linkDrop: run.obs.linkDrop };
  return run.firstAt;
}

/** Forgets the polls so far: the raw health is decided afresh from the next poll on. */
export function startAfresh(t: Tracker): void {
  t.raw = null;
  t.failRun = null;
  t.goodRun = null;
  t.hold = null;
}

function rawOf(obs: Observation): Raw {
  if (obs.kind === "ok") return { state: "up", code: null, cause: "answering", linkDrop: false };
  return { state: obs.kind, code: obs.code, cause: obs.cause, linkDrop: obs.linkDrop };
}
