/**
 * modbus: polls a device's registers as its profile says (profiles/), over Modbus TCP, RTU over
 * a TCP gateway or RTU on a serial port. Devices behind the same connection share one bus
 * (bus.ts) through ctx.resources. A poll reads the planned ranges in order and stops at the first
 * failure, so a dead unit costs its bus one request timeout per poll.
 */
import { untilAborted } from "../../src/core/clock.ts";
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver, Sample } from "../../src/core/types.ts";
import { defineDriver } from "../registry.ts";
import { BlockSupport } from "../shared/blocks.ts";
import { BLOCK_SUPPORTED } from "../shared/model.ts";
import { ModbusBus } from "./bus.ts";
import { decodeRead, deriveFlags } from "./decode.ts";
import { exceptionCode, modbusError } from "./errors.ts";
import { busOf, modbusOptions } from "./options.ts";
import { planReads } from "./plan.ts";
import { modbusProfiles } from "./profiles/index.ts";
import { openModbusLink } from "./transport.ts";

export { modbusOptions } from "./options.ts";

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
    const blocks = [...new Set(reads.filter((r) => !r.optional).map((r) => r.block))];
    const support = new BlockSupport(device.id, ctx.log);
    return {
      shape: "polled",
      metrics: [...profile.metrics, BLOCK_SUPPORTED],
      rules: profile.rules,
      async poll(signal) {
        const samples: Sample[] = [];
        /** Per block: the illegal-address error that made it unsupported, if any. */
        const missing = new Map<string, PollError>();
        for (const read of reads) {
          if (missing.has(read.block)) continue;
          const context = `${target} unit ${o.unitId}: read ${read.table} ${read.address}+${read.count}`;
          let data: (number | boolean)[];
          try {
            data = await untilAborted(
              bus().run(
                device.id,
                (link) => link.read(o.unitId, read.table, read.address, read.count, timeout),
                signal,
              ),
              signal,
              (reason) => new PollError("timeout", `${context}: poll deadline`, { cause: reason }),
            );
          } catch (err) {
            const e = modbusError(err, context);
            if (exceptionCode(e) !== 2) throw e;
            if (!read.optional) missing.set(read.block, e);
            continue;
          }
          samples.push(...decodeRead(read, data, profile.sentinels, context));
        }
        samples.push(...support.samples(blocks, missing));
        // Samples of a block cut short are kept; flags derive from what was read.
        samples.push(...deriveFlags(profile.derived, samples));
        return samples;
      },
      async close() {
        await held?.release();
        held = undefined;
      },
    };
  },
});
