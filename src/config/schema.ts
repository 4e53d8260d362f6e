/**
 * The daemon's configuration: daemon settings, sites and the device inventory. Strict (unknown
 * keys are errors), defaults live here, and validation does no I/O: secrets are only references
 * until a driver reveals them. `npm run schema` writes config/emcomm.schema.json from this file.
 */
import { z } from "zod";
import { drivers } from "../../drivers/index.ts";
import { isTimeZone } from "../core/zoned-time.ts";
import { reportsBlockSchema } from "../report/policy.ts";
import { sinksSchema } from "../sinks/config.ts";
import { duration } from "./duration.ts";
import { secretSchema } from "./secret.ts";
import { slaSchema } from "./sla-schema.ts";

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "an id of lower-case letters, digits and dashes, like vehicle-modem");

const localizedName = z.strictObject({
  zh: z.string().min(1, "the Chinese name"),
  en: z.string().min(1, "the English name"),
});

/** The fault level a device's outage opens, as in the contract's 一.3(6). */
export const faultLevels = ["major", "general", "consult"] as const;
export type FaultLevel = (typeof faultLevels)[number];

export const deviceKinds = [
  "satellite-modem",
  "satellite-buc",
  "satellite-antenna",
  "ka-station",
  "switch",
  "router",
  "ups",
  "generator",
  "pbx",
  "trunking-base-station",
  "trunking-controller",
  "dispatch-console",
  "radio-vehicle",
  "radio-handheld",
  "mesh-radio",
  "video-terminal",
  "video-matrix",
  "collaboration-tablet",
  "satellite-phone",
  "cpe-5g",
  "beidou-terminal",
  "rdss-unit",
  "field-tablet",
  "duty-system",
  "work-box",
] as const;

const siteSchema = z.strictObject({
  id,
  name: localizedName,
  /**
   * When the site's equipment is expected in service: `always` (fixed stations), or `deployed`
   * (the command vehicle, portable kits): only while the site is declared deployed.
   */
  calendar: z.enum(["always", "deployed"]).default("always"),
  /** The equipment group(s) of the contract's list this site covers, for reports. */
  location: z
    .strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
    .optional(),
});

const driverOptions = z.discriminatedUnion(
  "protocol",
  drivers.map((d) => d.options) as unknown as [z.ZodObject, ...z.ZodObject[]],
  { error: () => `a driver block whose protocol is one of: ${drivers.map((d) => d.protocol).join(", ")}` },
);

const deviceSchema = z.strictObject({
  id,
  name: localizedName,
  site: id,
  /** The contract's equipment group (equipment.csv `group`), e.g. ku-vehicle, vsat-fixed. */
  system: id,
  /** Reference to the contract's equipment list: "<group>#<item>", e.g. "ku-vehicle#2". */
  equipment: z
    .string()
    .regex(/^[a-z0-9-]+#\d+$/, 'a reference like "ku-vehicle#2"')
    .optional(),
  kind: z.enum(deviceKinds),
  vendor: z.string().min(1),
  model: z.string().min(1),
  /** Fault level of an outage of this device (major: the whole service is lost). */
  criticality: z.enum(faultLevels).default("general"),
  interval: duration("1s").prefault("30s"),
  /** Deadline of one poll; defaults to 80 % of the interval, at most 10 s. */
  timeout: duration("100ms").optional(),
  /** `site`: in service when its site is; `always`: expected up even when the site is stood down. */
  calendar: z.enum(["site", "always"]).default("site"),
  /** The device this one reaches the world through (its site's modem or router). */
  upstream: id.optional(),
  driver: driverOptions,
});

const daemonSchema = z.strictObject({
  /** Where the SQLite store lives. Relative paths are relative to the working directory. */
  dataDir: z.string().min(1).default("./data"),
  http: z
    .strictObject({
      /** Listen address: loopback unless you mean to expose it. */
      host: z.string().default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(9464),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    })
    .prefault({}),
  scheduler: z
    .strictObject({
      /** Polls in flight at once across all devices. */
      maxConcurrency: z.number().int().min(1).max(10_000).default(64),
      /** Each interval is stretched or shrunk at random by up to this fraction, so polls spread out. */
      jitter: z.number().min(0).max(0.5).default(0.1),
    })
    .prefault({}),
  /** SNMP trap/inform receiver: a notification from a device re-polls it at once (drivers/snmp/traps.ts). */
  traps: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Listen address: loopback unless devices send from elsewhere. */
      host: z.string().default("127.0.0.1"),
      /** UDP port (162 needs root); 0 picks a free one. */
      port: z.number().int().min(0).max(65535).default(9162),
      /** v1/v2c communities accepted besides those of the SNMP devices in the inventory. */
      communities: z.array(secretSchema).default([]),
    })
    .prefault({}),
  /** How long shutdown waits for polls in flight before aborting them. */
  shutdownGrace: duration().prefault("10s"),
  /** The contract's time zone: month boundaries for availability and reports. */
  timezone: z
    .string()
    .refine(isTimeZone, 'an IANA time zone name, such as "Asia/Shanghai"')
    .default("Asia/Shanghai"),
});

/** An issue at every item whose id an earlier item of the list already has. */
function flagRepeatedIds(
  list: readonly { id: string }[],
  key: "sites" | "devices",
  what: string,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  list.forEach((item, i) => {
    if (seen.has(item.id))
      ctx.addIssue({
        code: "custom",
        path: [key, i, "id"],
        message: `a ${what} id not used before`,
        input: item.id,
      });
    seen.add(item.id);
  });
}

export const configSchema = z
  .strictObject({
    daemon: daemonSchema.prefault({}),
    sites: z.array(siteSchema).min(1, "at least one site"),
    devices: z.array(deviceSchema),
    /** Health states, availability accounting, tickets and SLA clocks. */
    sla: slaSchema,
    /** Scoring policy and contract total of the monthly score sheet (src/report/policy.ts). */
    reports: reportsBlockSchema.prefault({}),
    /** Where metrics and events go besides /metrics: InfluxDB and MQTT, through the outbox. */
    sinks: sinksSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    flagRepeatedIds(config.sites, "sites", "site", ctx);
    flagRepeatedIds(config.devices, "devices", "device", ctx);
    const siteIds = new Set(config.sites.map((s) => s.id));
    const deviceIds = new Set(config.devices.map((d) => d.id));
    config.devices.forEach((device, i) => {
      if (!siteIds.has(device.site))
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "site"],
          message: `one of the sites' ids (${[...siteIds].join(", ")})`,
          input: device.site,
        });
      if (device.upstream !== undefined && (!deviceIds.has(device.upstream) || device.upstream === device.id))
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "upstream"],
          message: "the id of another device",
          input: device.upstream,
        });
    });
    // Upstream chains must end: a cycle would leave the devices on it impacted by each other.
    const upstreamOf = new Map(config.devices.map((d) => [d.id, d.upstream]));
    config.devices.forEach((device, i) => {
      const seenOnPath = new Set<string>([device.id]);
      for (let u = device.upstream; u !== undefined; u = upstreamOf.get(u)) {
        if (!seenOnPath.has(u)) {
          seenOnPath.add(u);
          continue;
        }
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "upstream"],
          message: `an upstream chain without a cycle (${[...seenOnPath].join(" → ")} → ${u})`,
          input: device.upstream,
        });
        break;
      }
    });
    for (const [site, p] of Object.entries(config.sla.presence)) {
      if (!config.sites.some((s) => s.id === site && s.calendar === "deployed"))
        ctx.addIssue({
          code: "custom",
          path: ["sla", "presence", site],
          message: "the id of a site whose calendar is deployed",
          input: site,
        });
      if (!deviceIds.has(p.device))
        ctx.addIssue({
          code: "custom",
          path: ["sla", "presence", site, "device"],
          message: "the id of a device of the inventory",
          input: p.device,
        });
    }
    // One MQTT client id at one broker with two sets of credentials: the two connections would
    // evict each other at the broker for ever.
    const clientIds = new Map<string, string>();
    config.devices.forEach((device, i) => {
      const d = device.driver as { protocol: string; broker?: string; clientId?: string; username?: string };
      if (d.protocol !== "mqtt" || !d.clientId) return;
      const password = (device.driver as { password?: { describe(): string } }).password;
      const credentials = `${d.username ?? ""}|${password?.describe() ?? ""}`;
      const key = `${d.broker}|${d.clientId}`;
      const first = clientIds.get(key);
      if (first !== undefined && first !== credentials)
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "driver", "clientId"],
          message: "a client id not used at this broker by a device with other credentials",
          input: d.clientId,
        });
      if (first === undefined) clientIds.set(key, credentials);
    });
    for (const id of Object.keys(config.sla.devices))
      if (!deviceIds.has(id))
        ctx.addIssue({
          code: "custom",
          path: ["sla", "devices", id],
          message: "the id of a device of the inventory",
          input: id,
        });
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type DeviceConfig = Config["devices"][number];
export type SiteConfig = Config["sites"][number];

/** The per-poll deadline of a device: its `timeout`, or 80 % of its interval capped at 10 s. */
export function pollTimeoutMs(device: DeviceConfig): number {
  return device.timeout ?? Math.min(Math.round(device.interval * 0.8), 10_000);
}
