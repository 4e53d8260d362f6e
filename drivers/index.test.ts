import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfigFile } from "../src/config/load.ts";
import { drivers } from "./index.ts";

const root = new URL("../", import.meta.url).pathname;
const metricName = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;
const unitSuffix =
  /_(seconds|bytes|bits_per_second|percent|ratio|db|dbm|volts|amperes|watts|celsius|hertz|kpa|degrees|total|hours|locked|on|up|ok|alarm|present|state|source|status|mode|running|enabled|repeating|connected|registered|call|band|fix|used|muted|start|ticks|rpm|remaining|hz)$/;
/** Units whose metrics carry no suffix: states, flags and counts of things. */
const unitless = new Set(["bool", "enum", "count", "band number"]);

describe("driver registry", () => {
  it("protocols are unique and each options schema discriminates on its own protocol", () => {
    const protocols = drivers.map((d) => d.protocol);
    expect(new Set(protocols).size).toBe(protocols.length);
    for (const d of drivers) {
      const shape = d.options.shape as Record<string, z.ZodType>;
      expect(shape.protocol, d.protocol).toBeInstanceOf(z.ZodLiteral);
      expect((shape.protocol as z.ZodLiteral).value).toBe(d.protocol);
    }
  });

  it("every profile's metrics are declared once, snake_case with a unit", () => {
    for (const d of drivers)
      for (const [profile, model] of d.profiles()) {
        const names = model.metrics.map((m) => m.name);
        expect(new Set(names).size, `${d.protocol}/${profile}`).toBe(names.length);
        for (const m of model.metrics) {
          expect(m.name, `${d.protocol}/${profile}`).toMatch(metricName);
          if (!unitless.has(m.unit))
            expect(m.name, `${d.protocol}/${profile} ${m.name} (${m.unit}) needs a unit suffix`).toMatch(
              unitSuffix,
            );
          expect(m.help.length).toBeGreaterThan(5);
        }
        for (const rule of model.rules)
          expect(names, `${d.protocol}/${profile} rule ${rule.code} uses an undeclared metric`).toContain(
            rule.metric,
          );
      }
  });

  it("every driver folder has a README", () => {
    for (const d of drivers)
      if (d.protocol !== "manual" && d.protocol !== "tcp")
        expect(existsSync(`${root}drivers/${d.protocol}/README.md`), d.protocol).toBe(true);
  });

  it("every profile named by the inventory exists", () => {
    const config = loadConfigFile(`${root}config/emcomm.yaml`);
    for (const device of config.devices) {
      const def = drivers.find((d) => d.protocol === device.driver.protocol)!;
      const profile = (device.driver as { profile?: string }).profile;
      if (profile === undefined) continue;
      expect([...def.profiles().keys()], `${device.id}: profile ${profile}`).toContain(profile);
    }
  });
});
