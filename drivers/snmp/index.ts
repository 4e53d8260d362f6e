/** snmp: placeholder definition so the inventory validates; the snmp driver replaces it. */
import { z } from "zod";
import { secretSchema } from "../../src/config/secret.ts";
import { PollError } from "../../src/core/errors.ts";
import { defineDriver } from "../registry.ts";

export const snmpDriver = defineDriver({
  protocol: "snmp",
  options: z.looseObject({
    protocol: z.literal("snmp"),
    profile: z.string(),
    community: secretSchema.optional(),
  }),
  profiles: () => new Map(),
  create: (device) => ({
    shape: "polled",
    metrics: [],
    rules: [],
    poll: async () => {
      throw new PollError("config", `snmp ${device.id}: the snmp driver is not built yet`);
    },
    close: async () => {},
  }),
});
