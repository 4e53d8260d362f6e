/** Writes config/emcomm.schema.json from the zod schema. test/config/config.test.ts fails when it drifts. */
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../src/config/json-schema.ts";

writeFileSync(
  new URL("../config/emcomm.schema.json", import.meta.url),
  `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
);
process.stdout.write("config/emcomm.schema.json written\n");
