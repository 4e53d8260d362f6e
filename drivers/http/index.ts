/** http: placeholder definition so the inventory validates; the http driver replaces it. */
import { z } from "zod";
import { PollError } from "../../src/core/errors.ts";
import { defineDriver } from "../registry.ts";

export const httpDriver = defineDriver({
  protocol: "http",
  options: z.looseObject({ protocol: z.literal("http"), profile: z.string() }),
  profiles: () => new Map(),
  create: (device) => ({
    shape: "polled",
    metrics: [],
    rules: [],
    poll: async () => {
      throw new PollError("config", `http ${device.id}: the http driver is not built yet`);
    },
    close: async () => {},
  }),
});
