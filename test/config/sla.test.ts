/**
 * The SLA part of the config: upstream chains and per-device overrides.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.ts";
import { tcpDevice } from "../support/harness.ts";

const sites = [{ id: "fixed", name: { zh: "固定站", en: "Fixed" } }];

describe("config", () => {
  it("refuses an upstream cycle and overrides of unknown devices", () => {
    expect(() =>
      validateConfig({
        sites,
        devices: [tcpDevice("a", "fixed", { upstream: "b" }), tcpDevice("b", "fixed", { upstream: "a" })],
        sla: { devices: { nope: { thirdParty: true } } },
      }),
    ).toThrow(/upstream chain without a cycle[\s\S]*sla\.devices\.nope/);
  });
});
