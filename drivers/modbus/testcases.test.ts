/** Runs every regression case folder under testcases/ (see testcases/README.md). */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRange } from "../../simulators/modbus/model.ts";
import {
  type ModbusReply,
  type ModbusTcpServer,
  startModbusTcpServer,
} from "../../simulators/modbus/server.ts";
import { PollError } from "../../src/core/errors.ts";
import type { PolledDriver, Sample } from "../../src/core/types.ts";
import { testContext, testDevice } from "../../test/support/driver-context.ts";
import { modbusDriver, modbusOptions } from "./index.ts";
import type { Table } from "./profile.ts";

type Cell = number | number[] | { fill: number; value: number; at?: Record<string, number> };
interface Registers extends Partial<Record<Table, Record<string, Cell>>> {
  reply?: "short" | "busy";
}

const root = new URL("./testcases/", import.meta.url).pathname;
const cases = readdirSync(root).filter((n) => statSync(join(root, n)).isDirectory());
const read = (name: string, file: string) => JSON.parse(readFileSync(join(root, name, file), "utf8"));

function tables(regs: Registers): Partial<Record<Table, Map<number, number>>> {
  const out: Partial<Record<Table, Map<number, number>>> = {};
  for (const table of ["holding", "input", "coil", "discrete"] as const) {
    const cells = regs[table];
    if (!cells) continue;
    const map = new Map<number, number>();
    for (const [addr, cell] of Object.entries(cells)) {
      const a = Number(addr);
      if (typeof cell === "number") map.set(a, cell);
      else if (Array.isArray(cell)) for (const [i, w] of cell.entries()) map.set(a + i, w);
      else {
        for (let i = 0; i < cell.fill; i++) map.set(a + i, cell.value);
        for (const [at, v] of Object.entries(cell.at ?? {})) map.set(Number(at), v);
      }
    }
    out[table] = map;
  }
  return out;
}

const key = (s: Sample) =>
  s.labels
    ? `${s.metric}{${Object.entries(s.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}}`
    : s.metric;

const servers: ModbusTcpServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe("modbus regression cases", () => {
  it("has cases", () => expect(cases.length).toBeGreaterThan(0));

  it.each(cases)("%s", async (name) => {
    const device = read(name, "device.json");
    const regs: Registers = read(name, "registers.json");
    const expected = read(name, "expected.json") as
      | { samples: Record<string, number> }
      | { error: { kind: string; message: string } };
    const map = tables(regs);
    const unitId = device.unitId ?? 1;
    const server = await startModbusTcpServer((req): ModbusReply => {
      if (req.unitId !== unitId) return { exception: 11 };
      if (regs.reply === "busy") return { exception: 6 };
      const r = readRange(map[req.table], req.address, req.count);
      return regs.reply === "short" && "values" in r ? { short: true, values: r.values } : r;
    });
    servers.push(server);
    const options = modbusOptions.parse({
      protocol: "modbus",
      host: "127.0.0.1",
      port: server.port,
      ...device,
    });
    const ctx = testContext();
    const driver = modbusDriver.create(testDevice(name, options), ctx) as PolledDriver;
    try {
      const result = await driver.poll(AbortSignal.timeout(3000)).then(
        (samples) => ({ samples: Object.fromEntries(samples.map((s) => [key(s), s.value])) }),
        (err: unknown) => {
          if (!(err instanceof PollError)) throw err;
          return { error: { kind: err.kind, message: err.message } };
        },
      );
      if ("samples" in expected) expect(result).toEqual(expected);
      else {
        expect(result).toHaveProperty("error");
        const { error } = result as { error: { kind: string; message: string } };
        expect(error.kind).toBe(expected.error.kind);
        expect(error.message).toContain(expected.error.message);
      }
    } finally {
      await driver.close();
      await ctx.closeAll();
    }
  });
});
