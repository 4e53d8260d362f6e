/**
 * The `driver:` block of an HTTP device. Strict; defaults here.
 *   url    base URL of the device's API (http or https)
 *   auth   { type: basic|digest, username, password }, { type: bearer, token } or, for Huawei
 *          HiLink firmware that requires a login, { type: hilink, username (admin), password };
 *          credentials are secrets (${ENV}, {env}, {file}); none by default
 *   tls    { insecure: false, ca: PATH }: skip certificate checks (lab only) or trust a CA file
 * The per-request deadline is the device's poll timeout (the scheduler's signal).
 */
import { z } from "zod";
import { secretSchema } from "../../src/config/secret.ts";
import { tlsOptions } from "../shared/tls.ts";
import { httpProfileNames } from "./profiles/index.ts";

const auth = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("basic"), username: z.string().min(1), password: secretSchema }),
  z.strictObject({ type: z.literal("digest"), username: z.string().min(1), password: secretSchema }),
  z.strictObject({ type: z.literal("bearer"), token: secretSchema }),
  /** Huawei HiLink login (POST /api/user/login) for CPE firmware that requires it. */
  z.strictObject({
    type: z.literal("hilink"),
    username: z.string().min(1).default("admin"),
    password: secretSchema,
  }),
]);

export const httpOptions = z.strictObject({
  protocol: z.literal("http"),
  profile: z.enum(httpProfileNames),
  url: z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" }),
  auth: auth.optional(),
  tls: tlsOptions.optional(),
});

export type HttpOptions = z.output<typeof httpOptions>;
