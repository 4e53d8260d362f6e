/**
 * manual: inventory items the contract covers but that have no interface to poll (handheld radios,
 * the Tiantong phone, the coordination work box). They still get tickets opened by hand,
 * inspections and an availability record from those tickets.
 */
import { z } from "zod";
import type { DeviceModel } from "../../src/core/types.ts";
import { defineDriver } from "../registry.ts";

const model: DeviceModel = { metrics: [], rules: [] };

export const manualDriver = defineDriver({
  protocol: "manual",
  options: z.strictObject({
    protocol: z.literal("manual"),
    profile: z.literal("manual").default("manual"),
    /** Why it is not polled, for the NOC: "no management port", "reported by the trunking console". */
    reason: z.string().optional(),
  }),
  profiles: () => new Map([["manual", model]]),
  create: () => ({ shape: "manual", ...model }),
});
