import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { snmpProfiles } from "./profiles/index.ts";

const readme = readFileSync(new URL("./README.md", import.meta.url), "utf8");

describe("drivers/snmp/README.md", () => {
  it.each([...snmpProfiles.entries()])("lists every metric of %s", (name, profile) => {
    const start = readme.indexOf(`### \`${name}\``);
    expect(start).toBeGreaterThan(0);
    const next = readme.indexOf("\n### ", start + 1);
    const section = readme.slice(start, next < 0 ? undefined : next);
    expect(
      profile.metrics.filter((m) => !section.includes(`\`emcomm_${m.name}\``)).map((m) => m.name),
    ).toEqual([]);
  });
});
