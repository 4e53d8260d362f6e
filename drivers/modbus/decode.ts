/**
 * Turns the answer to one planned read into samples. Pure. A short answer (fewer registers
 * than asked) is a protocol error; sentinel values are dropped, not reported as numbers.
 */
import { PollError } from "../../src/core/errors.ts";
import type { Sample } from "../../src/core/types.ts";
import { bitOf, decodeRaw, isGenCommSentinel, nibbles, scaleValue } from "./codec.ts";
import type { PlannedRead } from "./plan.ts";
import { pointSpan } from "./plan.ts";
import type { DerivedFlag, ModbusProfile } from "./profile.ts";

export function decodeRead(
  read: PlannedRead,
  data: readonly (number | boolean)[],
  sentinels: ModbusProfile["sentinels"],
  context: string,
): Sample[] {
  if (data.length < read.count)
    throw new PollError("protocol", `${context}: short response, ${data.length} of ${read.count} values`);
  const words = data.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
  const samples: Sample[] = [];
  for (const p of read.points) {
    const at = p.address - read.address;
    const slice = words.slice(at, at + pointSpan(p));
    const type = p.type ?? "u16";
    let value: number;
    if (p.table === "coil" || p.table === "discrete") value = slice[0]!;
    else if (type === "nibbles") {
      const fields = nibbles(slice);
      const tested = p.nibble === undefined ? fields : [fields[p.nibble] ?? 0];
      value = tested.some((f) => (p.anyOf ?? [1]).includes(f)) ? 1 : 0;
      samples.push({ metric: p.metric, value, ...(p.labels ? { labels: p.labels } : {}) });
      continue;
    } else {
      const raw = decodeRaw(slice, type, p.order);
      if (sentinels === "gencomm" && isGenCommSentinel(raw, type)) continue;
      value = type === "bit" ? bitOf(raw, p.bit ?? 0) : raw;
    }
    if (p.anyOf) value = p.anyOf.includes(value) ? 1 : 0;
    else value = scaleValue(value, p.scale, p.offset);
    samples.push({ metric: p.metric, value, ...(p.labels ? { labels: p.labels } : {}) });
  }
  return samples;
}

/**
 * The profile's derived flags over one poll's samples: 1 when any condition holds, 0 when none
 * does, and no sample when none of the inputs was read (a block the device lacks says nothing).
 */
export function deriveFlags(flags: readonly DerivedFlag[] | undefined, samples: readonly Sample[]): Sample[] {
  if (!flags) return [];
  const out: Sample[] = [];
  for (const flag of flags) {
    let seen = false;
    let value = 0;
    for (const c of flag.any) {
      const s = samples.find((x) => x.metric === c.metric && !x.labels);
      if (!s) continue;
      seen = true;
      if ((c.anyOf?.includes(s.value) ?? false) || (c.above !== undefined && s.value > c.above)) value = 1;
    }
    if (seen) out.push({ metric: flag.metric, value });
  }
  return out;
}
