import { z } from "zod";

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const pattern = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** "500ms", "10s", "5m", "4h", "30d" → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = pattern.exec(text.trim());
  return m ? Math.round(Number(m[1]) * units[m[2]!]!) : undefined;
}

/** A duration written with its unit in config files; parsed to milliseconds. */
export const duration = (min = "0ms") =>
  z
    .string()
    .regex(pattern, 'a duration with a unit, like "500ms", "10s", "5m", "4h" or "30d"')
    .transform((s) => parseDuration(s)!)
    .refine((ms) => ms >= parseDuration(min)!, `at least ${min}`)
    .meta({ description: 'A duration with a unit: "500ms", "10s", "5m", "4h", "30d".' });
