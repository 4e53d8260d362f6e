/**
 * modbus: polls a device's registers as its profile says (profiles/), over Modbus TCP, RTU over
 * a TCP gateway or RTU on a serial port. Devices behind the same connection share one bus
 * (bus.ts) through ctx.resources. A poll reads the planned ranges in order and stops at the first
 * failure, so a dead unit costs its bus one request timeout per poll.
 */
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver, Sample } from "../../src/core/types.ts";
import { defineDriver } from "../registry.ts";
import { ModbusBus } from "./bus.ts";
import { decodeRead } from "./decode.ts";
import { exceptionCode, modbusError } from "./errors.ts";
import { busOf, modbusOptions } from "./options.ts";
import { planReads } from "./plan.ts";
import { modbusProfiles } from "./profiles/index.ts";
import { openModbusLink } from "./transport.ts";

export { modbusOptions } from "./options.ts";

/** Rejects with a timeout PollError when `signal` aborts before `work` settles. */
function abortable<T>(work: Promise<T>, signal: AbortSignal, context: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new PollError("timeout", `${context}: poll deadline`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(new PollError("timeout", `${context}: poll deadline`, { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

export const modbusDriver = defineDriver({
  protocol: "modbus",
  options: modbusOptions,
  profiles: () => new Map(Object.entries(modbusProfiles)),
  create(device, ctx): PolledDriver {
    const o = device.options;
    const profile = modbusProfiles[o.profile];
    const reads = planReads(profile.points, {
      maxRegistersPerRead: o.maxRegistersPerRead,
      maxGap: o.maxGap ?? profile.maxGap ?? 0,
    });
    const { key, target } = busOf(o);
    let held: { value: ModbusBus; release(): Promise<void> } | undefined;
    const bus = () => {
      held ??= ctx.resources.acquire(
        key,
        () => new ModbusBus(openModbusLink(o, target), ctx.clock, o.interFrameGap),
      );
      return held.value;
    };
    const timeout = Math.min(o.requestTimeout, device.timeoutMs);
    return {
      shape: "polled",
      metrics: profile.metrics,
      rules: profile.rules,
      async poll(signal) {
        const samples: Sample[] = [];
        for (const read of reads) {
          const context = `${target} unit ${o.unitId}: read ${read.table} ${read.address}+${read.count}`;
          let data: (number | boolean)[];
          try {
            data = await abortable(
              bus().run(
                device.id,
                (link) => link.read(o.unitId, read.table, read.address, read.count, timeout),
                signal,
              ),
              signal,
              context,
            );
          } catch (err) {
            const e = modbusError(err, context);
            if (read.optional && exceptionCode(e) === 2) continue;
            throw e;
          }
          samples.push(...decodeRead(read, data, profile.sentinels, context));
        }
        return samples;
      },
      async close() {
        await held?.release();
        held = undefined;
      },
    };
  },
});
