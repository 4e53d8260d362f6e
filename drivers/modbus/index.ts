/** modbus: placeholder definition so the inventory validates; the modbus driver replaces it. */
import { z } from "zod";
import { PollError } from "../../src/core/errors.ts";
import { defineDriver } from "../registry.ts";

export const modbusDriver = defineDriver({
  protocol: "modbus",
  options: z.looseObject({ protocol: z.literal("modbus"), profile: z.string() }),
  profiles: () => new Map(),
  create: (device) => ({
    shape: "polled",
    metrics: [],
    rules: [],
    poll: async () => {
      throw new PollError("config", `modbus ${device.id}: the modbus driver is not built yet`);
    },
    close: async () => {},
  }),
});
