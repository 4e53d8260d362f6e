import { z } from "zod";
import { configSchema } from "./schema.ts";

/** The JSON Schema of config files as an editor sees them (input side: durations are strings). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    title: "emcomm-monitor configuration",
    description: "GENERATED from src/config/schema.ts by `npm run schema`; do not edit by hand.",
  };
}
