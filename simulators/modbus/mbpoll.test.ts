/**
 * libmodbus's mbpoll (a Modbus master nobody here wrote) reads our Modbus simulator and gets the
 * values the profiles say: GenComm registers of the generator, the BUC on unit 2, the UPS's
 * input registers, a busy unit's exception.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missing } from "../../peers/index.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { RunningSimulator } from "../registry.ts";
import { modbusSimulator } from "./index.ts";

const run = promisify(execFile);
const why = missing("/usr/bin/mbpoll");

/** mbpoll's reading as { reference: value }, or its error text. */
async function mbpoll(port: number, unit: number, args: string[]): Promise<Record<number, number>> {
  const { stdout } = await run("/usr/bin/mbpoll", [
    "-1",
    "-0",
    "-o",
    "1",
    "-p",
    String(port),
    "-a",
    String(unit),
    ...args,
    "127.0.0.1",
  ]);
  const out: Record<number, number> = {};
  for (const m of stdout.matchAll(/^\[(\d+)\]:\s+(-?[\d.]+)/gm)) out[Number(m[1])] = Number(m[2]);
  return out;
}

describe.skipIf(why)(`mbpoll reads the modbus simulator${why ? ` (skipped: ${why})` : ""}`, () => {
  let sim: RunningSimulator;
  const port = (id: string) => sim.endpoint(id).port as number;

  beforeAll(async () => {
    sim = await modbusSimulator.start(
      [
        {
          id: "gen",
          kind: "generator",
          site: "lab",
          driver: { protocol: "modbus", profile: "dse-generator" },
        },
        {
          id: "buc",
          kind: "satellite-buc",
          site: "lab",
          driver: { protocol: "modbus", profile: "buc-rs485", unitId: 2 },
        },
        { id: "ups", kind: "ups", site: "lab", driver: { protocol: "modbus", profile: "ups-modbus" } },
      ],
      { clock: systemClock, log: pino({ level: "silent" }) },
    );
  });
  afterAll(() => sim?.stop());

  it("gets the generator's GenComm registers", async () => {
    expect(await mbpoll(port("gen"), 1, ["-r", "768", "-c", "5"])).toEqual({
      768: 1,
      769: 4623,
      770: 312,
      771: 14002,
      772: 1,
    });
    expect(await mbpoll(port("gen"), 1, ["-r", "1027", "-c", "1"])).toEqual({ 1027: 78 });
    // run hours (seconds, u32 high word first) and start count
    expect(await mbpoll(port("gen"), 1, ["-t", "4:int", "-B", "-r", "1798", "-c", "1"])).toEqual({
      1798: 1234 * 3600,
    });
    expect(await mbpoll(port("gen"), 1, ["-t", "4:int", "-B", "-r", "1808", "-c", "1"])).toEqual({
      1808: 412,
    });
    // alarm list: every alarm "not active" (1) until a fault
    expect(Object.values(await mbpoll(port("gen"), 1, ["-r", "2049", "-c", "3"]))).toEqual([
      0x1111, 0x1111, 0x1111,
    ]);
    sim.inject("gen", "fail-to-start");
    sim.inject("gen", "mains-loss");
    expect(await mbpoll(port("gen"), 1, ["-r", "2050", "-c", "1"])).toEqual({ 2050: 0x1131 });
  });

  it("gets the BUC on unit 2 and the UPS input registers", async () => {
    const buc = await mbpoll(port("buc"), 2, ["-r", "0", "-c", "3"]);
    expect(buc[0]).toBe(0b010); // PLL locked, no alarm, not muted
    expect(buc[1]).toBeGreaterThan(420);
    const ups = await mbpoll(port("ups"), 1, ["-t", "3", "-r", "0", "-c", "9"]);
    expect(ups).toMatchObject({ 0: 0, 1: 2, 2: 100, 7: 3, 8: 0 });
  });

  it("sees a busy unit's exception", async () => {
    sim.inject("ups", "busy");
    const err = await mbpoll(port("ups"), 1, ["-t", "3", "-r", "0", "-c", "1"]).catch(
      (e: { stderr?: string; stdout?: string }) => `${e.stdout}${e.stderr}`,
    );
    expect(String(err)).toMatch(/busy/i);
    sim.clear("ups");
  });
});
