/**
 * The `tls` block of a driver that speaks TLS to its device or broker (HTTP, MQTT): certificates
 * are checked against the system's CAs unless `ca` names a PEM file to trust instead, or
 * `insecure` skips the check (lab only). Read when the driver connects, never at validation.
 */
import { z } from "zod";

export const tlsOptions = z.strictObject({
  insecure: z.boolean().default(false),
  ca: z.string().min(1, "a PEM file path").optional(),
});
