/**
 * Recording a device's new state: the transition row (clamped times are the caller's), the
 * flapping flag, one log line, then the row appended through the StoreWriter and the listeners
 * (the ticket engine, the sinks) told. While the store cannot write, the writer keeps the
 * transition (in order, with its original times) and runs it again: the row is appended once,
 * and only the listeners that could not write yet are called again.
 */
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import { appendTransition, type Transition } from "../ledger/store.ts";
import type { Db } from "../store/db.ts";
import { isStorageError, type StoreWriter } from "../store/writer.ts";
import { noteDown } from "./flapping.ts";
import { type DeviceHealth, type Effective, type Tracker, viewOf } from "./tracker.ts";

export type TransitionListener = (transition: Transition, health: DeviceHealth) => void;

export class TransitionRecorder {
  private readonly listeners: TransitionListener[] = [];

  constructor(
    private readonly options: {
      db: Db;
      writer: StoreWriter;
      clock: Clock;
      log: Logger;
      flapping: Config["sla"]["health"]["flapping"];
    },
  ) {}

  onTransition(fn: TransitionListener): void {
    this.listeners.push(fn);
  }

  /** Records `eff` as the device's state from `at`. */
  record(t: Tracker, eff: Effective, at: number): void {
    const { clock, log, flapping } = this.options;
    const prev = t.effective;
    const now = clock.now();
    if (eff.state === "down" && prev?.state !== "down") noteDown(t, at, now, flapping, log);
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
    log[level](
      {
        device: t.device.id,
        state: eff.state,
        previous: prev?.state ?? null,
        code: eff.code,
        at: new Date(at).toISOString(),
      },
      `device ${eff.state}`,
    );
    this.store(row, viewOf(t));
  }

  private store(row: Omit<Transition, "id">, view: DeviceHealth): void {
    const { db, writer, log } = this.options;
    let transition: Transition | undefined;
    let waiting = [...this.listeners];
    writer.write("transition", () => {
      transition ??= appendTransition(db, row);
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
          log.error({ err, device: row.device }, "transition listener failed");
          return false;
        }
      });
      if (storeError) throw storeError;
    });
  }
}
