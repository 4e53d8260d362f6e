/** mqtt: placeholder definition so the inventory validates; the mqtt driver replaces it. */
import { z } from "zod";
import { secretSchema } from "../../src/config/secret.ts";
import { PollError } from "../../src/core/errors.ts";
import { defineDriver } from "../registry.ts";

export const mqttDriver = defineDriver({
  protocol: "mqtt",
  options: z.looseObject({
    protocol: z.literal("mqtt"),
    profile: z.string(),
    password: secretSchema.optional(),
  }),
  profiles: () => new Map(),
  create: (device) => ({
    shape: "polled",
    metrics: [],
    rules: [],
    poll: async () => {
      throw new PollError("config", `mqtt ${device.id}: the mqtt driver is not built yet`);
    },
    close: async () => {},
  }),
});
