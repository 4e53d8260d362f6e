/**
 * The scenario engine: faults over time on a simulated fleet, so a newcomer running `emcomm demo`
 * sees the SLA machinery move: a fault is injected every few minutes on one device after another
 * (round robin), held long enough to be declared down (a ticket opens, its clocks run), then
 * cleared (the device recovers and clearance is proposed with the measured restoration time).
 *
 * Driven by the injected Clock (FakeClock in tests); stop() cancels the pending timer.
 */
import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../src/core/clock.ts";
import type { Fleet } from "./fleet.ts";

export interface ScenarioOptions {
  /** Devices to fault, in turn. */
  targets: readonly string[];
  /** Fault to inject (default `silent`: the device stops answering). */
  fault?: string;
  /** First injection after start (default 30 s). */
  firstMs?: number;
  /** From one injection to the next (default 4 min). */
  everyMs?: number;
  /** How long each fault lasts (default 2.5 min: longer than 3 polls at 30 s). */
  durationMs?: number;
}

export interface RunningScenario {
  /** Injections done so far, oldest first. */
  history(): { device: string; fault: string; injectedAt: number; clearedAt: number | null }[];
  stop(): void;
}

export function startScenario(
  fleet: Pick<Fleet, "inject" | "clear">,
  env: { clock: Clock; log: Logger },
  options: ScenarioOptions,
): RunningScenario {
  const { clock, log } = env;
  const fault = options.fault ?? "silent";
  const every = options.everyMs ?? 240_000;
  const duration = Math.min(options.durationMs ?? 150_000, every);
  const history: { device: string; fault: string; injectedAt: number; clearedAt: number | null }[] = [];
  const timers = new Set<TimerHandle>();
  let next = 0;
  let stopped = false;
  const later = (ms: number, fn: () => void) => {
    const t = clock.setTimer(ms, () => {
      timers.delete(t);
      if (!stopped) fn();
    });
    timers.add(t);
  };
  const step = () => {
    if (options.targets.length === 0) return;
    const device = options.targets[next++ % options.targets.length]!;
    if (fleet.inject(device, fault)) {
      const entry = { device, fault, injectedAt: clock.now(), clearedAt: null as number | null };
      history.push(entry);
      log.info({ device, fault, forMs: duration }, "scenario: fault injected");
      later(duration, () => {
        fleet.clear(device, fault);
        entry.clearedAt = clock.now();
        log.info({ device, fault }, "scenario: fault cleared");
      });
    } else log.warn({ device, fault }, "scenario: cannot inject here");
    later(every, step);
  };
  later(options.firstMs ?? 30_000, step);
  return {
    history: () => history.map((h) => ({ ...h })),
    stop() {
      stopped = true;
      for (const t of timers) t.cancel();
      timers.clear();
    },
  };
}
