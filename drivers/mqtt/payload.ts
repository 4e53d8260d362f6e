/**
 * The Beidou box's telemetry message (our design, device-polling.md §11: the boxes' gateway
 * publishes one JSON document per report) and its samples. Pure; property-tested in
 * payload.test.ts. Extra keys are allowed (firmware adds fields); the ones we read are checked.
 *
 *   { "time": "2026-11-24T05:00:00Z" | 1795986000000,   report time (ISO 8601 or epoch ms)
 *     "fix": "none" | "2d" | "3d",                      RNSS fix
 *     "position": { "lat": 24.81, "lon": 113.6, "alt": 85, "speed_kmh": 12, "heading": 270 },
 *                                                      required unless fix is none
 *     "sats": 9, "hdop": 1.1,                          satellites used, dilution
 *     "battery": 78,                                   percent
 *     "rdss": { "ok": true, "beams": [3,4,2,0,1,3,4,2,1,0] },   RDSS link, beam power 0–4
 *     "rnss": { "ok": true } }                          optional receiver self-test
 */
import { z } from "zod";
import type { Sample } from "../../src/core/types.ts";

const position = z.looseObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  alt: z.number().min(-500).max(20_000).optional(),
  speed_kmh: z.number().min(0).max(2000).optional(),
  heading: z.number().min(0).max(360).optional(),
});

export const beidouPayload = z
  .looseObject({
    time: z.union([z.iso.datetime({ offset: true }), z.number().int().min(0)]),
    fix: z.enum(["none", "2d", "3d"]),
    position: position.nullable().optional(),
    sats: z.number().int().min(0).max(64),
    hdop: z.number().min(0).max(100).optional(),
    battery: z.number().min(0).max(100),
    rdss: z.looseObject({
      ok: z.boolean(),
      beams: z.array(z.number().int().min(0).max(4)).max(10).optional(),
    }),
    rnss: z.looseObject({ ok: z.boolean() }).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.fix !== "none" && !p.position)
      ctx.addIssue({ code: "custom", path: ["position"], message: `a position with a ${p.fix} fix` });
  });

export type BeidouPayload = z.output<typeof beidouPayload>;

const fixCode = { none: 0, "2d": 2, "3d": 3 } as const;

/** The report's time in ms since the epoch. */
export function reportTime(p: BeidouPayload): number {
  return typeof p.time === "number" ? p.time : Date.parse(p.time);
}

/**
 * Parses one message. Returns samples, or the reason it is not a valid report (for the discard
 * counter and the log). `now` (ms) dates the report age.
 */
export function decodeBeidou(
  payload: Buffer | string,
  now: number,
): { samples: Sample[] } | { invalid: string } {
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === "string" ? payload : payload.toString("utf8"));
  } catch (err) {
    return { invalid: `not JSON: ${(err as Error).message.slice(0, 80)}` };
  }
  const parsed = beidouPayload.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { invalid: `${issue.path.join(".") || "(root)"}: ${issue.message}` };
  }
  const p = parsed.data;
  const samples: Sample[] = [
    { metric: "beidou_fix", value: fixCode[p.fix] },
    { metric: "beidou_sats_used", value: p.sats },
    { metric: "beidou_battery_percent", value: p.battery },
    { metric: "beidou_rdss_ok", value: p.rdss.ok ? 1 : 0 },
    { metric: "beidou_report_age_seconds", value: Math.max(0, (now - reportTime(p)) / 1000) },
  ];
  if (p.position && p.fix !== "none")
    samples.push(
      { metric: "beidou_latitude_degrees", value: p.position.lat },
      { metric: "beidou_longitude_degrees", value: p.position.lon },
    );
  return { samples };
}
