/**
 * The SLA part of the config: upstream chains and per-device overrides.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.ts";
import { fixedSite, tcpDevice } from "../support/harness.ts";

describe("config", () => {
  it("refuses an upstream cycle and overrides of unknown devices", () => {
    expect(() =>
      validateConfig({
        sites: fixedSite,
        devices: [tcpDevice("a", "fixed", { upstream: "b" }), tcpDevice("b", "fixed", { upstream: "a" })],
        sla: { devices: { nope: { thirdParty: true } } },
      }),
    ).toThrow(/upstream chain without a cycle[\s\S]*sla\.devices\.nope/);
  });
});
