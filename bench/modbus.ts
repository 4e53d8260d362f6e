/**
 * Requests per second of a Modbus poll of 50 holding registers (decoded as 50 u16 samples)
 * against pymodbus (python3-pymodbus, /usr/bin/python3), over Modbus TCP on loopback, one poll at
 * a time through the driver's own bus, link and decoder. Median of several timed runs.
 *   npx tsx bench/modbus.ts [runs=5] [seconds=3]
 */
import { ModbusBus } from "../drivers/modbus/bus.ts";
import { decodeRead } from "../drivers/modbus/decode.ts";
import { modbusOptions } from "../drivers/modbus/options.ts";
import { planReads } from "../drivers/modbus/plan.ts";
import type { RegisterPoint } from "../drivers/modbus/profile.ts";
import { openModbusLink } from "../drivers/modbus/transport.ts";
import { freePort, PYMODBUS_SERVER, startPeer, waitForPort } from "../peers/index.ts";
import { systemClock } from "../src/core/clock.ts";
import { median, recordFigures } from "./support/figures.ts";

const runs = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 3);

const port = await freePort();
const peer = startPeer("/usr/bin/python3", [PYMODBUS_SERVER, String(port)]);
try {
  await waitForPort(port);
  const options = modbusOptions.parse({
    protocol: "modbus",
    profile: "ups-modbus",
    host: "127.0.0.1",
    port,
    unitId: 4,
  });
  const points: RegisterPoint[] = Array.from({ length: 50 }, (_, i) => ({ metric: `r${i}`, address: i }));
  const [read] = planReads(points, { maxRegistersPerRead: 125 });
  const bus = new ModbusBus(openModbusLink(options, "bench"), systemClock, 0);
  const poll = async () => {
    const data = await bus.run("bench", (link) =>
      link.read(4, read!.table, read!.address, read!.count, 1000),
    );
    const samples = decodeRead(read!, data, undefined, "bench");
    if (samples.length !== 50 || samples[49]!.value !== 1049) throw new Error("unexpected answer");
  };
  for (let i = 0; i < 200; i++) await poll(); // warm up
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      await poll();
      n++;
    }
    rates.push(n / ((performance.now() - start) / 1000));
  }
  await bus.close();
  console.log(`  polls per second of each run: ${rates.map((x) => Math.round(x)).join(", ")}`);
  recordFigures("modbus", [
    {
      name: "Modbus poll of 50 holding registers, pymodbus TCP on loopback, one at a time",
      value: Math.round(median(rates)),
      unit: "polls/s",
      anchor: "not measured",
      goal: "",
    },
  ]);
} finally {
  await peer.stop();
}
