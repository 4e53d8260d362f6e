/**
 * The `driver:` block of an SNMP device, validated once at load (no I/O). Defaults live here.
 * Credentials are Secrets (revealed only when the session opens). `oids` re-points a profile's
 * objects (by metric name) at the vendor's real OIDs; `thresholds` overrides a health rule's value
 * (by rule code): both exist for the vendor-neutral satellite profiles, whose OIDs are assumptions.
 */
import { z } from "zod";
import { secretSchema } from "../../src/config/secret.ts";

export const snmpProfileNames = [
  "antenna-acu",
  "satellite-modem",
  "satellite-buc",
  "generic-host",
  "pdt-base-station",
  "h3c-switch",
  "huawei-switch",
  "huawei-router",
  "ups-rfc1628",
] as const;

/** Profiles built with the ifMib block (kept here so validation needs no profile import). */
export const profilesWithInterfaces: readonly string[] = [
  "generic-host",
  "h3c-switch",
  "huawei-switch",
  "huawei-router",
];

const numericOid = z.string().regex(/^\d+(\.\d+)+$/, "a numeric OID like 1.3.6.1.2.1.1.3.0");

export const v3UserSchema = z.strictObject({
  user: z.string().min(1),
  level: z.enum(["noAuthNoPriv", "authNoPriv", "authPriv"]).default("authPriv"),
  authProtocol: z.enum(["sha", "sha224", "sha256", "sha384", "sha512", "md5"]).default("sha"),
  authKey: secretSchema.optional(),
  privProtocol: z.enum(["aes", "aes256b", "aes256r", "des"]).default("aes"),
  privKey: secretSchema.optional(),
});

export const snmpOptions = z
  .strictObject({
    protocol: z.literal("snmp"),
    profile: z.enum(snmpProfileNames),
    /** Agent address. Lab and simulator use loopback; the inventory's *.invalid names never resolve. */
    host: z.string().min(1, "a host name or address"),
    port: z.number().int().min(1).max(65535).default(161),
    version: z.enum(["1", "2c", "3"]).default("2c"),
    /** v1/v2c community. */
    community: secretSchema.optional(),
    v3: v3UserSchema.optional(),
    /**
     * The agent's SNMPv3 engine id (hex, 5–32 octets, optional 0x). A v3 trap carrying it maps to
     * this device even when several devices share the address. Stored lower-case, without 0x.
     */
    engineId: z
      .string()
      .regex(
        /^(0x)?([0-9a-fA-F]{2}){5,32}$/,
        "an even-length hex engine id of 5 to 32 octets, e.g. 0x80001f8880aabbccdd",
      )
      .transform((s) => s.replace(/^0x/, "").toLowerCase())
      .optional(),
    /** Re-sends of one request before it counts as a timeout (per request, inside the poll deadline). */
    retries: z.number().int().min(0).max(5).default(1),
    /** Rows asked per column in one GETBULK before the driver has learned the table sizes. */
    maxRepetitions: z.number().int().min(1).max(200).default(25),
    /** Vendor OID per metric name (instance OID for scalars, column OID for table metrics). */
    oids: z.record(z.string(), numericOid).optional(),
    /** Health-rule value per rule code, e.g. { ebno_low: 5.5 }. */
    thresholds: z.record(z.string(), z.number()).optional(),
    /**
     * Interfaces (ifName) that must be up: oper down on one is a link drop (rule uplink_down:<ifName>).
     * Only for profiles with the ifMib block (switches, routers, hosts).
     */
    uplinks: z.array(z.string().min(1)).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.version === "3" && !o.v3)
      ctx.addIssue({ code: "custom", path: ["v3"], message: "a v3 user block when version is 3" });
    if (o.engineId && o.version !== "3")
      ctx.addIssue({ code: "custom", path: ["engineId"], message: "engineId only with SNMP version 3" });
    if (o.version !== "3" && !o.community)
      ctx.addIssue({ code: "custom", path: ["community"], message: "a community for SNMP v1/v2c" });
    if (o.v3 && o.v3.level !== "noAuthNoPriv" && !o.v3.authKey)
      ctx.addIssue({
        code: "custom",
        path: ["v3", "authKey"],
        message: "an authKey for authNoPriv/authPriv",
      });
    if (o.uplinks?.length && !profilesWithInterfaces.includes(o.profile))
      ctx.addIssue({
        code: "custom",
        path: ["uplinks"],
        message: `uplinks only on profiles that read IF-MIB (${profilesWithInterfaces.join(", ")})`,
      });
    if (o.v3 && o.v3.level === "authPriv" && !o.v3.privKey)
      ctx.addIssue({ code: "custom", path: ["v3", "privKey"], message: "a privKey for authPriv" });
  });

export type SnmpOptions = z.output<typeof snmpOptions>;
