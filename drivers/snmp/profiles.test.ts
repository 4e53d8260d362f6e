/**
 * Every profile declares what it emits: a synthetic agent answering every OID the profile reads
 * (two rows per table, twice for rates) must yield only declared metrics with declared labels.
 */
import { describe, expect, it } from "vitest";
import { interpret, newCounterMemory } from "./interpret.ts";
import { profilesWithInterfaces, snmpOptions, snmpProfileNames } from "./options.ts";
import {
  composeProfile,
  customizeProfile,
  gauge,
  type Profile,
  undeclared,
  type ValueCodec,
} from "./profile.ts";
import { snmpProfiles } from "./profiles/index.ts";
import { system } from "./profiles/system.ts";
import type { VarBind } from "./transport.ts";
import type { Collected } from "./walk.ts";

function answerEverything(profile: Profile, tick: number): Collected {
  // Enumerations answer their first mapped value, so that every declared metric shows up.
  const vb = (oid: string, o: ValueCodec, n: number): VarBind =>
    o.codec === "float32"
      ? { oid, type: 4, value: Buffer.from([0x41, 0x48, 0, 0]) }
      : { oid, type: 2, value: o.map ? Number(Object.keys(o.map)[0]) : n };
  const scalars = new Map(profile.scalars.map((s) => [s.oid, vb(s.oid, s, 1 + tick)]));
  const columns = new Map<string, Map<string, VarBind>>();
  for (const t of profile.tables) {
    if (t.labelOid)
      columns.set(
        t.labelOid,
        new Map(
          ["1", "2"].map((i) => [i, { oid: `${t.labelOid}.${i}`, type: 4, value: Buffer.from(`e${i}`) }]),
        ),
      );
    for (const c of t.columns)
      columns.set(c.oid, new Map(["1", "2"].map((i) => [i, vb(`${c.oid}.${i}`, c, 1 + tick * 100)])));
  }
  return { scalars, missing: new Map(), columns, pdus: 1 };
}

describe("snmp profiles", () => {
  it("exist for every profile name the inventory may use", () => {
    expect([...snmpProfiles.keys()].sort()).toEqual([...snmpProfileNames].sort());
  });

  it.each([...snmpProfiles.entries()])("%s emits only declared metrics", (_, profile) => {
    const memory = newCounterMemory();
    const first = interpret(profile, answerEverything(profile, 0), memory, 0).samples;
    const second = interpret(profile, answerEverything(profile, 1), memory, 10_000).samples;
    expect(undeclared(profile, [...first, ...second])).toEqual([]);
    // and every declared metric is produced by something it reads
    const emitted = new Set(second.map((s) => s.metric));
    expect(profile.metrics.map((m) => m.name).filter((n) => !emitted.has(n))).toEqual([]);
    // rules only name declared metrics
    const names = new Set(profile.metrics.map((m) => m.name));
    expect(profile.rules.filter((r) => !names.has(r.metric)).map((r) => r.code)).toEqual([]);
  });

  it("the check catches a block that emits a metric it did not declare", () => {
    const sloppy = composeProfile("sloppy", [
      { ...system(), metrics: [gauge("system_uptime_seconds", "seconds", "x")] },
    ]);
    const samples = interpret(sloppy, answerEverything(sloppy, 0), newCounterMemory(), 0).samples;
    expect(undeclared(sloppy, samples)).toEqual(["system_reboots_total"]);
  });

  it("uplinks: allowed exactly on profiles that read IF-MIB, and become link-drop rules", () => {
    const withIf = [...snmpProfiles].filter(([, p]) => p.blocks.includes("ifMib")).map(([n]) => n);
    expect([...profilesWithInterfaces].sort()).toEqual(withIf.sort());
    const base = { protocol: "snmp", host: "127.0.0.1", community: "public", uplinks: ["GE1/0/24"] };
    expect(snmpOptions.safeParse({ ...base, profile: "ups-rfc1628" }).success).toBe(false);
    expect(snmpOptions.safeParse({ ...base, profile: "h3c-switch" }).success).toBe(true);
    const p = customizeProfile(snmpProfiles.get("h3c-switch")!, {}, { "uplink_down:GE1/0/24": 0 }, [
      "GE1/0/24",
    ]);
    expect(p.rules.find((r) => r.code === "uplink_down:GE1/0/24")).toMatchObject({
      severity: "down",
      linkDrop: true,
      metric: "if_oper_up",
      labels: { ifname: "GE1/0/24" },
    });
  });

  it("oids and thresholds re-point objects and rules by name", () => {
    const p = customizeProfile(
      snmpProfiles.get("satellite-modem")!,
      { modem_ebno_db: "1.3.6.1.4.1.9.9.9.0" },
      { ebno_low: 5.5 },
    );
    expect(p.scalars.find((s) => s.metric === "modem_ebno_db")?.oid).toBe("1.3.6.1.4.1.9.9.9.0");
    expect(p.rules.find((r) => r.code === "ebno_low")?.value).toBe(5.5);
  });

  it("a metric name means the same thing in every profile (type, unit, labels)", () => {
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const [name, p] of snmpProfiles)
      for (const m of p.metrics) {
        const shape = `${m.type} ${m.unit} [${(m.labels ?? []).join(",")}]`;
        const before = seen.get(m.name);
        if (before !== undefined && before !== shape)
          clashes.push(`${name}: ${m.name} ${shape} vs ${before}`);
        seen.set(m.name, shape);
      }
    expect(clashes).toEqual([]);
  });
});
