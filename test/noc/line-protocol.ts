/**
 * A small InfluxDB line-protocol encoder following the schema in README "InfluxDB" (the outbox's
 * Influx sink writes the same): used by the dashboard query test to load what the daemon produced
 * into a real influxd. Device samples go to the measurement named by the metric's first token,
 * poll results to `poll`. Timestamps in ms.
 */

import { influxMeasurement } from "../../grafana/declared-metrics.ts";
import type { PollOutcome } from "../../src/core/outcome.ts";

const escapeKey = (s: string) => s.replace(/[,= \\]/g, (c) => `\\${c}`);
const escapeMeasurement = (s: string) => s.replace(/[, \\]/g, (c) => `\\${c}`);
const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

function tagSet(tags: Record<string, string>): string {
  return Object.keys(tags)
    .filter((k) => tags[k] !== "")
    .sort()
    .map((k) => `,${escapeKey(k)}=${escapeKey(tags[k]!)}`)
    .join("");
}

export function encodeOutcome(o: PollOutcome, device: { site: string; kind: string }): string[] {
  const base = { device: o.deviceId, site: device.site, kind: device.kind };
  const lines: string[] = [];
  const poll = [`up=${o.error ? 0 : 1}i`, `duration_seconds=${(o.finishedAt - o.startedAt) / 1000}`];
  if (o.error) poll.push(`error_kind=${quote(o.error.kind)}`);
  lines.push(`poll${tagSet(base)} ${poll.join(",")} ${o.startedAt}`);
  for (const s of o.samples) {
    if (!Number.isFinite(s.value)) continue;
    const tags = tagSet({ ...base, ...(s.labels ?? {}) });
    lines.push(
      `${escapeMeasurement(influxMeasurement(s.metric))}${tags} ${escapeKey(s.metric)}=${s.value} ${o.startedAt}`,
    );
  }
  return lines;
}
