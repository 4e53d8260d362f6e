/**
 * The `sla:` block of the config: health hysteresis, per-device overrides, the contract's SLA
 * clocks per fault level, the repeat-fault window, the versioned accounting policies of
 * availability, and the API's bearer tokens. Durations are written with units and parsed to ms.
 * Every key has a default, so a config without `sla:` gets the contract's figures.
 */
import { z } from "zod";
import { duration } from "./duration.ts";
import { secretSchema } from "./secret.ts";

const level = z.enum(["major", "general", "consult"]);

const clockSet = (respond: string, onsite: string, repair: string) =>
  z
    .strictObject({
      /** Until the contractor accepts the ticket (the contract's "response"). */
      respond: duration("1s").prefault(respond),
      /** Until the engineer is on site. */
      onsite: duration("1s").prefault(onsite),
      /** Until the fault is repaired (the repair time of the fault record). */
      repair: duration("1s").prefault(repair),
    })
    .prefault({});

const healthRuleSchema = z.strictObject({
  code: z.string().regex(/^[a-z0-9_]+$/, "a snake_case fault code"),
  severity: z.enum(["down", "degraded"]),
  metric: z.string().min(1),
  labels: z.record(z.string(), z.string()).optional(),
  op: z.enum(["<", "<=", ">", ">=", "==", "!="]),
  value: z.number(),
  linkDrop: z.boolean().optional(),
  description: z.strictObject({ zh: z.string().min(1), en: z.string().min(1) }),
});

const deviceOverride = z.strictObject({
  /** Consecutive failed polls before the device is declared down (overrides sla.health). */
  downAfterPolls: z.number().int().min(1).optional(),
  downAfter: duration().optional(),
  upAfterPolls: z.number().int().min(1).optional(),
  /** Fault level of this device's tickets instead of its criticality. */
  level: level.optional(),
  /** Rules added to the driver's profile rules for this device. */
  rules: z.array(healthRuleSchema).default([]),
  /** Fault codes of the profile's rules to ignore on this device. */
  ignore: z.array(z.string()).default([]),
  /**
   * The device is a third party's (the satellite service): its outages and the impact on devices
   * behind it open no tickets and never count against the contractor.
   */
  thirdParty: z.boolean().default(false),
});

const stateName = z.enum(["down", "degraded", "impacted"]);

/**
 * How availability is counted. Policies are versioned and never edited once a month was scored
 * with them: add a new one with a later `from`; the policy in force at a period's start is used.
 */
const policySchema = z.strictObject({
  version: z.string().min(1),
  /** ISO date from which this policy applies (inclusive), e.g. "2026-01-01". */
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like "2026-01-01"'),
  /** States that count as downtime. `impacted` counts only when its upstream is not a third party's. */
  downStates: z.array(stateName).min(1).default(["down"]),
  /**
   * A device first seen in the middle of a period: `from-first-seen` expects service only from
   * its first recorded state; `whole-period` counts the time before as available.
   */
  newDevices: z.enum(["from-first-seen", "whole-period"]).default("from-first-seen"),
  /**
   * Site, system and contract figures: `time-weighted` = Σ available time / Σ expected time;
   * `device-mean` = the mean of the device figures (devices with expected time only).
   */
  aggregate: z.enum(["time-weighted", "device-mean"]).default("time-weighted"),
});

const defaultPolicy = {
  version: "2026.1",
  from: "2000-01-01",
  downStates: ["down"] as ("down" | "degraded" | "impacted")[],
  newDevices: "from-first-seen" as const,
  aggregate: "time-weighted" as const,
};

export const slaSchema = z
  .strictObject({
    health: z
      .strictObject({
        /** Consecutive failed polls (N) before a device is declared down. */
        downAfterPolls: z.number().int().min(1).default(3),
        /** ...or this long since the first failed poll (T), whichever comes first. */
        downAfter: duration("1s").prefault("90s"),
        /** Consecutive good polls (M) before a down device is declared up again. */
        upAfterPolls: z.number().int().min(1).default(2),
        /** Flapping: this many down transitions of one device within `window`. */
        flapping: z
          .strictObject({
            transitions: z.number().int().min(2).default(4),
            window: duration("1m").prefault("1h"),
          })
          .prefault({}),
      })
      .prefault({}),
    devices: z.record(z.string(), deviceOverride).default({}),
    /**
     * Presence signals of `deployed`-calendar sites, by site id: the site is declared deployed
     * when a poll of `device` shows the condition, and stood down when an answered poll shows it
     * no longer holds (unanswered polls change nothing). E.g. the vehicle's UPS output source.
     */
    presence: z
      .record(
        z.string(),
        z.strictObject({
          device: z.string().min(1),
          metric: z.string().min(1),
          op: z.enum(["<", "<=", ">", ">=", "==", "!="]),
          value: z.number(),
        }),
      )
      .default({}),
    clocks: z
      .strictObject({
        major: clockSet("10m", "1h", "4h"),
        general: clockSet("10m", "2h", "8h"),
        consult: clockSet("10m", "4h", "12h"),
        /** A running clock warns when less than this fraction of its duration remains. */
        warnRemaining: z.number().min(0).max(1).default(0.25),
      })
      .prefault({}),
    /** The same fault on the same device within this long after clearance is a repeat fault. */
    repeatWindow: duration("1m").prefault("7d"),
    policies: z.array(policySchema).min(1).default([defaultPolicy]),
    api: z
      .strictObject({
        /** Bearer tokens: engineer (contractor), supervisor (bureau: verify, reject, approve), viewer. */
        tokens: z
          .array(
            z.strictObject({
              name: z.string().min(1),
              role: z.enum(["engineer", "supervisor", "viewer"]),
              token: secretSchema.refine(
                (s) => s.describe() !== "literal" || isUsableToken(s.reveal()),
                "a token without blanks (an empty or blank token would let anyone in)",
              ),
            }),
          )
          .default([]),
        /**
         * Allow reads (GET /api/v1/…) without a token from loopback addresses. From any other address
         * every read needs a token, except /healthz.
         */
        openReadsOnLoopback: z.boolean().default(true),
        /**
         * /metrics from non-loopback addresses: `open` (default: Prometheus scrapes without
         * credentials) or `token` (any role's token; in prometheus.yml set
         * `authorization: { credentials_file: … }` on the scrape job).
         */
        metrics: z.enum(["open", "token"]).default("open"),
        /**
         * Times given to the API (a ticket's reportedAt, a site's `at`) more than this far
         * in the past need the bureau's (supervisor's) token; the record keeps the given and the
         * actual time.
         */
        backdateLimit: duration("1s").prefault("15m"),
        /** How far in the future a given time may be (clock skew between hosts). */
        clockSkew: duration("1s").prefault("2m"),
      })
      .prefault({}),
  })
  .prefault({});

export type SlaConfig = z.output<typeof slaSchema>;
export type AccountingPolicy = SlaConfig["policies"][number];
export type DeviceOverride = z.output<typeof deviceOverride>;

/** A bearer token must be non-empty and contain no whitespace: nothing is trimmed into a match. */
export function isUsableToken(token: string): boolean {
  return /^[\x21-\x7e]+$/.test(token);
}
