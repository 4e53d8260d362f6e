/**
 * The heap the InfluxDB sink's line-protocol plans keep per device (not a bench of its own:
 * bench/run.ts skips files starting with "_"). Run as
 * `N=4000 node --expose-gc --import tsx bench/_plan-memory.ts`: encodes one outcome of each of N
 * devices of the SNMP bench's shape (2 scalars and 8 interface rows of 3 values: 26 samples, 10
 * lines), so each device gets its plan, and prints the heap and the array buffers (the plans'
 * bytes) that stay, per device, after full collections.
 */
import type { PollOutcome } from "../src/core/outcome.ts";
import { encodeOutcomeBytes } from "../src/sinks/line-protocol.ts";

const N = Number(process.env.N ?? 2000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const device = { site: "hq", kind: "switch" };

const outcomes: PollOutcome[] = Array.from({ length: N }, (_, d) => {
  const samples: PollOutcome["samples"] = [
    { metric: "sys_uptime_seconds", value: 1234.5 },
    { metric: "snmp_agent_up", value: 1 },
  ];
  for (let r = 0; r < 8; r++) {
    const labels = { ifName: `eth${r}`, ifIndex: String(r + 1), ifDescr: `Ethernet port ${r}` };
    for (const metric of ["if_in_octets", "if_out_octets", "if_oper_up"])
      samples.push({ metric, value: 1e6 + d, labels });
  }
  return { deviceId: `snmp-${d}`, trigger: "schedule", startedAt: 1.7e12, finishedAt: 1.7e12 + 3, samples };
});

const kept = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, bytes: m.arrayBuffers };
};
encodeOutcomeBytes(outcomes[0]!, { site: "warm", kind: "up" }); // the shared field keys
const before = kept();
for (const o of outcomes) encodeOutcomeBytes(o, device);
const after = kept();
const perDevice = (n: number) => `${(n / N / 1024).toFixed(2)} KB`;
console.log(
  `line-protocol plans of ${N} devices (26 samples, 10 lines each): ${perDevice(after.heap - before.heap)} of heap and ${perDevice(after.bytes - before.bytes)} of array buffers per device`,
);
