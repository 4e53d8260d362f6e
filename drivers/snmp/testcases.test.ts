/**
 * Regression cases as folders (testcases/<what-it-pins>/): case.json holds the device's driver
 * options, the agent's answers for each poll (replayed by FakeTransport) and what the last poll
 * must give: samples (exactly, order aside) or an error kind. Add a case by adding a folder.
 */
import { readdirSync, readFileSync } from "node:fs";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../src/core/clock.ts";
import { createSharedResources } from "../../src/core/resources.ts";
import type { Sample } from "../../src/core/types.ts";
import { FakeTransport, mib } from "../../test/support/snmp-fake-transport.ts";
import { createSnmpDriver } from "./index.ts";
import { snmpOptions } from "./options.ts";

interface Case {
  options: Record<string, unknown>;
  /** One MIB per poll, polls 10 s apart: [oid, type, value]; Counter64 as a decimal string, OCTET STRING as text. */
  polls: [string, number, unknown][][];
  expect: { samples?: Sample[]; error?: string; message?: RegExp | string };
}

const root = new URL("./testcases/", import.meta.url);
const cases = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

function toValue(type: number, value: unknown): unknown {
  if (type === 70) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(value as string));
    return b;
  }
  if (type === 4 && typeof value === "string") return Buffer.from(value);
  return value;
}

const key = (s: Sample) => `${s.metric}${JSON.stringify(s.labels ?? {})}`;

describe("snmp regression cases", () => {
  it("has cases", () => expect(cases.length).toBeGreaterThan(0));

  it.each(cases)("%s", async (name) => {
    const c = JSON.parse(readFileSync(new URL(`${name}/case.json`, root), "utf8")) as Case;
    const tables = c.polls.map((entries) =>
      mib(entries.map(([oid, type, value]) => [oid, type, toValue(type, value)])),
    );
    const fake = new FakeTransport(tables[0]!);
    const clock = new FakeClock(0);
    const options = snmpOptions.parse({
      protocol: "snmp",
      host: "127.0.0.1",
      community: "public",
      ...c.options,
    });
    const driver = createSnmpDriver(
      { id: name, site: "s", kind: "x", intervalMs: 10_000, timeoutMs: 5_000, options },
      { clock, log: pino({ level: "silent" }), resources: createSharedResources() },
      () => fake,
    );
    let last: Sample[] | Error = [];
    for (const [i, table] of tables.entries()) {
      if (i > 0) await clock.advance(10_000);
      fake.set(table);
      last = await driver.poll(new AbortController().signal).catch((e: Error) => e);
    }
    if (c.expect.error) {
      expect(last).toMatchObject({ kind: c.expect.error });
      if (c.expect.message) expect((last as Error).message).toMatch(new RegExp(c.expect.message));
    } else {
      expect(last).toBeInstanceOf(Array);
      const got = [...(last as Sample[])].sort((a, b) => key(a).localeCompare(key(b)));
      const want = [...(c.expect.samples ?? [])].sort((a, b) => key(a).localeCompare(key(b)));
      expect(got.map((s) => ({ ...s, value: Number(s.value.toPrecision(12)) }))).toEqual(want);
    }
  });
});
