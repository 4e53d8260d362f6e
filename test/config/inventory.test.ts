import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load.ts";

const root = new URL("../../", import.meta.url).pathname;
const equipment = readFileSync(`${root}config/equipment.csv`, "utf8").trim().split("\n").slice(1);

describe("the inventory covers the contract's equipment list", () => {
  const config = loadConfigFile(`${root}config/emcomm.yaml`);
  const items = equipment.map((line) => {
    const cols = line.split(",");
    return { ref: `${cols[0]}#${cols[2]}`, qty: Number(cols[7]), monitorable: cols[9]! };
  });

  it("every monitorable item is a device, one per unit", () => {
    for (const item of items.filter((i) => i.monitorable === "yes" || i.monitorable === "maybe")) {
      const devices = config.devices.filter((d) => d.equipment === item.ref);
      expect(devices.length, item.ref).toBeGreaterThanOrEqual(1);
      if (item.ref !== "vsat-fixed#1") expect(devices.length, `${item.ref} units`).toBe(item.qty);
    }
  });

  it("points only at placeholder hosts, never real addresses", () => {
    const text = readFileSync(`${root}config/emcomm.yaml`, "utf8");
    expect(text).not.toMatch(/\b(10|172|192)\.\d+\.\d+\.\d+\b/);
  });
});
