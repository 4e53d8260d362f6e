/**
 * The `driver:` block of a device that pushes telemetry over MQTT. Strict; defaults here.
 *   broker    mqtt://, mqtts://, ws:// or wss:// URL
 *   topic     the device's telemetry topic (exact, no wildcards)
 *   username / password   broker credentials (password is a secret: ${ENV}, {env}, {file})
 *   clientId  our client id at this broker (default derived from this host's name, the broker and
 *             the credentials: stable, so the broker keeps our QoS 1 session across reconnects and
 *             restarts, and different per monitoring host and per credentials so two daemons, or
 *             two devices with different passwords, never evict each other; `emcomm poll` appends
 *             its own suffix and keeps no session, so it never knocks the daemon off the broker)
 *   qos       subscription QoS, default 1
 *   reportInterval   how often the device reports (default "30s")
 *   missedReports    reports missed before the device counts as stale/down (default 3)
 *   tls       { insecure: false, ca: PATH } for mqtts/wss
 * Devices naming the same broker, credentials and clientId share one connection; one clientId
 * with two sets of credentials is refused (config error on the second device).
 */
import { z } from "zod";
import { duration } from "../../src/config/duration.ts";
import { secretSchema } from "../../src/config/secret.ts";
import { tlsOptions } from "../shared/tls.ts";
import { mqttProfileNames } from "./profiles/index.ts";

export const mqttOptions = z.strictObject({
  protocol: z.literal("mqtt"),
  profile: z.enum(mqttProfileNames),
  broker: z.url({ protocol: /^(mqtts?|wss?)$/, error: "an mqtt://, mqtts://, ws:// or wss:// URL" }),
  topic: z
    .string()
    .min(1)
    .refine((t) => !/[+#]/.test(t), "an exact topic without + or # wildcards"),
  username: z.string().min(1).optional(),
  password: secretSchema.optional(),
  clientId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, - and _, at most 64")
    .optional(),
  qos: z.union([z.literal(0), z.literal(1)]).default(1),
  reportInterval: duration("1s").prefault("30s"),
  missedReports: z.number().int().min(1).max(100).default(3),
  tls: tlsOptions.optional(),
});

export type MqttOptions = z.output<typeof mqttOptions>;
